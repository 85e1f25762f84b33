"""Background work through a real worker process, on the embedded broker and on Redis:
a Refresh click syncs on the worker while the page serves the cache; a suite run is
recorded to the end with no page open; a worker killed mid-sync loses nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conversations.models import Conversation
from core.background import SYNC_LISTING, task_key
from core.tasks import refresh_listings
from portal.models import SyncState, TaskRecord
from portal.telnyx import get_client
from sandbox.models.conversations import SbConversation
from testing.models import SuiteRun
from testing.tasks import run_suite, track_unfinished_runs

from .conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_refresh_is_synced_by_the_worker_while_the_page_serves_the_cache(start_worker, viewer_client):
    call_command("sandbox_seed", "--demo", verbosity=0)
    start_worker()
    response = viewer_client.post(reverse("assistants:assistant-refresh"), headers={"HX-Request": "true"})
    assert b"Refreshing from Telnyx in the background" in response.content
    state = wait_for(lambda: SyncState.objects.filter(resource="assistants", synced_at__isnull=False).first(),
                     what="the worker's sync")
    assert state.item_count > 0 and not state.last_error
    listed = viewer_client.get(reverse("assistants:assistant-list")).content.decode()
    assert "Acme Support" in listed
    assert TaskRecord.objects.get(name="portal.tasks.sync_listing").state == "succeeded"


def test_a_suite_run_is_recorded_to_the_end_with_no_page_open(start_worker, operator, settings):
    call_command("sandbox_seed", "--demo", verbosity=0)
    settings.SANDBOX_ASYNC_SECONDS = 2
    client = get_client()
    assistant = next(a["id"] for a in client.get("ai/assistants").data["data"] if a["name"] == "Acme Support")
    for n in range(2):
        client.post("ai/assistants/tests", json={
            "name": f"Night check {n}", "destination": assistant, "instructions": "Ask for opening hours.",
            "telnyx_conversation_channel": "web_chat", "test_suite": "nightly",
            "rubric": [{"name": "answers", "criteria": "Gives the opening hours"}]})
    start_worker()
    task = run_suite.apply_async(args=["nightly", "", operator.pk])
    suite_run = wait_for(lambda: SuiteRun.objects.filter(suite="nightly").first(), what="the suite run to start")
    assert suite_run.total == 2 and suite_run.status == "running"
    # What the beat does: follow every unfinished run (nothing polls the suite page here).
    track_unfinished_runs.delay()
    final = wait_for(lambda: SuiteRun.objects.filter(pk=suite_run.pk).exclude(status="running").first(),
                     timeout=90, what="the suite run to be final")
    assert final.finished == 2 and final.finished_at is not None
    assert final.status in ("passed", "failed", "error")
    # The same message delivered again (same task id) starts no second Telnyx run.
    run_suite.apply_async(args=["nightly", "", operator.pk], task_id=task.id)
    wait_for(lambda: TaskRecord.objects.filter(task_id=task.id, state="succeeded", attempts=2).exists(),
             what="the redelivered task to finish")
    assert SuiteRun.objects.filter(suite="nightly").count() == 1
    assert len(client.get("ai/assistants/tests/test-suites/nightly/runs").data["data"]) == 2


def test_a_worker_killed_mid_sync_loses_nothing_and_the_sync_completes_with_the_exact_count(start_worker, settings):
    call_command("sandbox_seed", "--demo", verbosity=0)
    call_command("sandbox_seed", "--bulk", "--conversations", "6000", "--messages-per-conversation", "0", verbosity=0)
    expected = SbConversation.objects.count()
    settings.SANDBOX_FAULTS = "latency=300"  # slow enough to kill the worker between batches
    worker = start_worker(SYNC_LEASE_SECONDS=3)
    refresh_listings.delay()  # the beat's sweep: the never-synced conversations are stale
    state = wait_for(lambda: SyncState.objects.filter(resource="conversations", run_progress__gte=2000, run_id__gt="").first(),
                     what="the sync to be part way")
    worker.kill()
    killed_at = SyncState.objects.get(resource="conversations")
    assert killed_at.run_id and killed_at.synced_at is None and killed_at.run_progress < 6000 + 100
    settings.SANDBOX_FAULTS = ""
    start_worker(SYNC_LEASE_SECONDS=3)
    # Once the dead worker's lease lapses, the sweep resumes the same run from its cursor.
    wait_for(lambda: SyncState.objects.filter(lease_until__lt=timezone.now(), resource="conversations").exists(),
             what="the dead worker's lease to lapse")
    refresh_listings.delay()
    wait_for(lambda: SyncState.objects.filter(resource="conversations", synced_at__isnull=False).exists(),
             timeout=90, what="the resumed sync to finish")
    done = SyncState.objects.get(resource="conversations")
    assert done.run_started_at == state.run_started_at  # resumed, not restarted
    total = Conversation.objects.count()
    assert done.item_count == total == expected
    records = TaskRecord.objects.filter(key=task_key(SYNC_LISTING, ["conversations"], {})).order_by("created_at")
    # The worker records success just after the sync state turns final: wait for that write.
    wait_for(lambda: records.filter(state="succeeded").exists(), timeout=30, what="the resumed task's record")
    lost, resumed = records
    assert lost.state == "failed" and "worker running this task stopped" in lost.last_error
    assert resumed.state == "succeeded"
