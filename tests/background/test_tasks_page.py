"""Background tasks as an admin sees them: records written by the task signals, the tasks
page with its states and plain-words errors, and Retry."""

from __future__ import annotations

import pytest
import responses
from django.urls import reverse

from core.background import idempotency_key
from core.tasks import refresh_listings, sync_listing
from portal.models import AuditEvent, SyncState, TaskRecord

pytestmark = pytest.mark.django_db


@responses.activate
def test_a_failed_sync_is_listed_with_the_telnyx_error_in_plain_words_and_the_cache_kept(team_admin_client, telnyx_base):
    responses.get(f"{telnyx_base}/ai/assistants", status=503)
    sync_listing.apply(args=["assistants"], throw=False)
    record = TaskRecord.objects.get()
    assert record.state == "failed" and record.attempts == 1
    assert "server error (503)" in record.last_error
    page = team_admin_client.get(reverse("tasks") + "?state=failed").content.decode()
    assert "Sync assistants from Telnyx" in page and "server error (503)" in page and "Retry" in page


@responses.activate
def test_retry_queues_the_task_again_and_it_succeeds(team_admin_client, telnyx_base, assistant_json):
    responses.get(f"{telnyx_base}/ai/assistants", status=503)
    sync_listing.apply(args=["assistants"], throw=False)
    failed = TaskRecord.objects.get()
    responses.replace(responses.GET, f"{telnyx_base}/ai/assistants", json={"data": [assistant_json(1)], "meta": {"total_pages": 1}})
    response = team_admin_client.post(reverse("task-retry", args=[failed.pk]))
    assert response.status_code == 302
    retried = TaskRecord.objects.exclude(pk=failed.pk).get()
    assert retried.state == "succeeded" and retried.args == ["assistants"]
    assert SyncState.objects.get(resource="assistants").item_count == 1
    assert "No failed tasks" in team_admin_client.get(reverse("tasks") + "?state=failed").content.decode()
    event = AuditEvent.objects.get(action="retry")
    assert (event.username, event.resource_type, event.resource_id) == ("ada_admin", "task", str(failed.pk))
    assert event.summary.startswith("Retried failed task “Sync assistants from Telnyx”")
    assert "server error (503)" in event.changes["error"]["before"]


def test_only_admins_see_the_tasks_page(operator_client, viewer_client):
    assert operator_client.get(reverse("tasks")).status_code == 403
    assert viewer_client.get(reverse("tasks")).status_code == 403


def test_the_sweep_queues_stale_and_abandoned_listings_but_not_fresh_ones(settings, monkeypatch):
    from django.utils import timezone

    queued = []
    monkeypatch.setattr("core.tasks.enqueue_listing_sync", queued.append)
    for resource in ("assistants", "mcp_servers", "buckets", "models", "fine_tuning_jobs", "embedding_tasks", "clusters",
                     "insight_templates", "insight_groups", "assistant-tests", "test-suites", "conversation-insights",
                     "shared_tools", "canary_deploys"):
        SyncState.objects.create(resource=resource, synced_at=timezone.now(), last_attempt_at=timezone.now())
    SyncState.objects.create(resource="conversations", synced_at=timezone.now(), run_id="half-done",
                             lease_until=timezone.now() - timezone.timedelta(seconds=1))
    SyncState.objects.filter(resource="assistants").update(synced_at=timezone.now() - timezone.timedelta(hours=1))
    assert sorted(refresh_listings()) == ["assistants", "conversations"]


def test_a_redelivered_task_sends_the_same_idempotency_key():
    class Request:
        id = "2f0c-task-id"

    class Task:
        name = "testing.tasks.run_suite"
        request = Request()

    assert idempotency_key(Task()) == idempotency_key(Task())
    Request.id = "another-task"
    assert idempotency_key(Task()) != str(Request.id)


def test_a_task_whose_worker_died_is_shown_lost_with_retry_and_a_sync_is_left_to_its_lease(team_admin_client):
    from datetime import timedelta

    from django.utils import timezone

    from core.tasks import mark_lost

    long_ago = timezone.now() - timedelta(minutes=11)
    TaskRecord.objects.create(task_id="t-dead", name="testing.tasks.track_suite_run", label="Follow suite run 7",
                              key="k1", args=[7], state="running", started_at=long_ago)
    TaskRecord.objects.create(task_id="t-live", name="testing.tasks.track_suite_run", label="Follow suite run 8",
                              key="k2", args=[8], state="running", started_at=timezone.now())
    TaskRecord.objects.create(task_id="t-sync", name="portal.tasks.sync_listing", label="Sync conversations",
                              key="k3", args=["conversations"], state="running", started_at=long_ago)
    TaskRecord.objects.filter(task_id__in=["t-dead", "t-sync"]).update(updated_at=long_ago)
    assert mark_lost.apply().result == 1
    states = dict(TaskRecord.objects.values_list("task_id", "state"))
    assert states == {"t-dead": "failed", "t-live": "running", "t-sync": "running"}
    page = team_admin_client.get(reverse("tasks") + "?state=failed").content.decode()
    assert "Follow suite run 7" in page and ">Lost<" in page and "stopped (killed or crashed)" in page and "Retry" in page
