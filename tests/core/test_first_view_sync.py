"""A list never synced queues its first sync on its first view (server side) and says so."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import TaskRecord

pytestmark = pytest.mark.django_db


def test_the_first_view_of_a_never_synced_list_queues_its_sync_and_says_syncing(viewer_client, monkeypatch):
    sent = []
    monkeypatch.setattr("core.background.eager", lambda: False)
    monkeypatch.setattr("core.tasks.sync_listing.apply_async", lambda args, task_id: sent.append(args))
    content = viewer_client.get(reverse("assistants:assistant-list")).content.decode()
    assert sent == [["assistants"]]
    assert TaskRecord.objects.filter(state="queued", args=["assistants"]).exists()
    assert "Syncing assistants from Telnyx…" in content
    viewer_client.get(reverse("assistants:assistant-list"))
    assert sent == [["assistants"]]  # queued once, not per view


def test_views_of_a_never_synced_list_whose_first_sync_runs_write_nothing(viewer_client, monkeypatch):
    """While the first sync runs (it holds the lease), a view neither queues another nor claims
    one: on SQLite that claim's write waited behind the sync's writes, 15-19 s a page."""
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from portal.models import SyncState

    sent = []
    monkeypatch.setattr("core.background.eager", lambda: False)
    monkeypatch.setattr("core.tasks.sync_listing.apply_async", lambda args, task_id: sent.append(args))
    SyncState.objects.create(resource="conversations", lease_until=timezone.now() + timedelta(seconds=60), run_progress=2000)
    with CaptureQueriesContext(connection) as queries:
        content = viewer_client.get(reverse("conversations:conversation-list")).content.decode()
    assert "Loading conversations from Telnyx in the background" in content
    assert sent == [] and not TaskRecord.objects.exists()
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
