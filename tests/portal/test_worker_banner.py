"""With work queued and no worker heard for a minute, the pages that wait on a worker (a list
awaiting its sync, the tasks page, a suite run in progress) say so once, with the command that
starts one; a live worker, nothing waiting, or a page that waits on nothing shows no banner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from core import heartbeat
from core.changelist.kept import forget_recent_pages
from portal.models import SyncState, TaskRecord, WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def real_worker_mode(monkeypatch):
    """As in production: tasks go to a worker instead of running inline."""
    monkeypatch.setattr("core.background.eager", lambda: False)
    for resource in ("assistants", "canary_deploys"):
        SyncState.objects.update_or_create(resource=resource, defaults={"synced_at": timezone.now()})
    # The models list awaits its sync (a day old): it waits on a worker.
    SyncState.objects.update_or_create(resource="models", defaults={"synced_at": timezone.now() - timedelta(days=1)})
    cache.clear()
    forget_recent_pages()  # this process's copies of kept pages too
    yield
    cache.clear()
    forget_recent_pages()  # this process's copies of kept pages too


def queued_sync():
    TaskRecord.objects.create(task_id="t1", name="portal.tasks.sync_listing", key="k", label="Sync assistants from Telnyx")


def banner(client, url=None) -> str:
    content = client.get(url or reverse("inference:model-list")).content.decode()
    return content.split('data-testid="worker-silent"')[1].split("</div>")[0] if 'data-testid="worker-silent"' in content else ""


def test_no_worker_ever_heard_with_a_sync_queued_says_so_with_the_command(viewer_client):
    queued_sync()
    said = banner(viewer_client)
    assert "No background worker is answering" in said and "1 task waits" in said and "<code>bin/serve</code>" in said


def test_a_worker_silent_for_over_a_minute_is_named_with_when_it_was_last_heard(viewer_client):
    queued_sync()
    WorkerHeartbeat.objects.create(hostname="w1", seen_at=timezone.now() - timedelta(minutes=3))
    assert "last heard 3\xa0minutes ago" in banner(viewer_client)


def test_a_live_worker_or_nothing_waiting_shows_no_banner(viewer_client, team_admin_client):
    assert banner(team_admin_client, reverse("tasks")) == ""  # nothing waits
    queued_sync()
    heartbeat.beat("w1")
    cache.clear()
    forget_recent_pages()  # this process's copies of kept pages too
    assert banner(viewer_client) == ""


def test_pages_that_wait_on_no_worker_show_no_banner_even_when_no_worker_answers(viewer_client):
    queued_sync()
    assert "No background worker" in banner(viewer_client)
    assert banner(viewer_client, reverse("dashboard")) == ""
    assert banner(viewer_client, reverse("preferences")) == ""
    SyncState.objects.filter(resource="models").update(synced_at=timezone.now())  # the list is fresh: nothing awaited
    assert banner(viewer_client) == ""


def test_the_tasks_page_and_a_suite_run_in_progress_wait_on_the_worker(viewer_client, team_admin_client):
    from testing.models import SuiteRun

    queued_sync()
    assert "1 task waits" in banner(team_admin_client, reverse("tasks"))
    running = SuiteRun.objects.create(suite="smoke", batch_id="b1", run_ids=["r1"], status="running", total=1,
                                      started_at=timezone.now())
    assert "No background worker" in banner(viewer_client, reverse("testing:suite-run-detail", args=["smoke", "b1"]))
    SuiteRun.objects.filter(pk=running.pk).update(status="completed", passed=1, finished_at=timezone.now())
    assert banner(viewer_client, reverse("testing:suite-run-detail", args=["smoke", "b1"])) == ""


def test_a_list_that_waits_says_so_on_every_view_although_repeat_views_are_kept(viewer_client):
    queued_sync()
    assert "No background worker is answering" in banner(viewer_client)
    assert "No background worker is answering" in banner(viewer_client), "a repeat view still shows the banner"
    heartbeat.beat("w1")
    cache.clear()
    forget_recent_pages()  # this process's copies of kept pages too
    assert banner(viewer_client) == ""


def test_the_audit_log_is_no_telnyx_listing_and_pays_no_banner_reads(team_admin_client):
    # The audit log is the portal's own record: nothing syncs it, so it never waits on a worker,
    # and its "never synced" state neither says so nor costs the banner's reads.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queued_sync()
    with CaptureQueriesContext(connection) as seen:
        assert banner(team_admin_client, reverse("audit")) == ""
    assert not [q["sql"] for q in seen.captured_queries if "portal_workerheartbeat" in q["sql"]]
    assert not TaskRecord.objects.filter(key__contains="audit").exists()  # and queues no sync
    assert "No background worker" in banner(team_admin_client)  # a list that does wait still says so
