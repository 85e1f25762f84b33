"""With work queued and no worker heard for a minute, pages say so once, with the command that
starts one; a live worker, or nothing waiting, shows no banner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from core import heartbeat
from portal.models import SyncState, TaskRecord, WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def real_worker_mode(monkeypatch):
    """As in production: tasks go to a worker instead of running inline."""
    monkeypatch.setattr("core.background.eager", lambda: False)
    for resource in ("assistants", "models", "canary_deploys"):
        SyncState.objects.update_or_create(resource=resource, defaults={"synced_at": timezone.now()})
    cache.clear()
    yield
    cache.clear()


def queued_sync():
    TaskRecord.objects.create(task_id="t1", name="portal.tasks.sync_listing", key="k", label="Sync assistants from Telnyx")


def banner(client) -> str:
    content = client.get(reverse("dashboard")).content.decode()
    return content.split('data-testid="worker-silent"')[1].split("</div>")[0] if 'data-testid="worker-silent"' in content else ""


def test_no_worker_ever_heard_with_a_sync_queued_says_so_with_the_command(viewer_client):
    queued_sync()
    said = banner(viewer_client)
    assert "No background worker is answering" in said and "1 task waits" in said and "<code>bin/serve</code>" in said


def test_a_worker_silent_for_over_a_minute_is_named_with_when_it_was_last_heard(viewer_client):
    queued_sync()
    WorkerHeartbeat.objects.create(hostname="w1", seen_at=timezone.now() - timedelta(minutes=3))
    assert "last heard 3\xa0minutes ago" in banner(viewer_client)


def test_a_live_worker_or_nothing_waiting_shows_no_banner(viewer_client):
    assert banner(viewer_client) == ""  # nothing waits
    queued_sync()
    heartbeat.beat("w1")
    cache.clear()
    assert banner(viewer_client) == ""
