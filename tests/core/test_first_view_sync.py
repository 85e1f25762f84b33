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
