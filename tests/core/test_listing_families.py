"""Per-object listings: a family member is a listing of its own, and the beat's sweep picks
the stale ones (not fresh ones, not ones a worker holds, not unknown kinds), stalest first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.background import is_registered, listing
from core.tasks import _due_family_members
from portal.models import SyncState

pytestmark = pytest.mark.django_db


def test_family_members_are_listings_and_unknown_kinds_are_not():
    assert is_registered("versions:assistant-1") and is_registered("test-runs:t-1")
    assert not is_registered("versions:") and not is_registered("nothing:x")
    assert listing("versions:assistant-1").resource == "versions:assistant-1"


def test_the_sweep_takes_stale_family_members_stalest_first(settings):
    now = timezone.now()
    old, older = now - timedelta(seconds=settings.CACHE_TTL + 60), now - timedelta(days=2)
    SyncState.objects.create(resource="versions:stale", synced_at=old)
    SyncState.objects.create(resource="test-runs:staler", synced_at=older)
    SyncState.objects.create(resource="versions:fresh", synced_at=now)
    SyncState.objects.create(resource="versions:busy", synced_at=older, lease_until=now + timedelta(seconds=60))
    SyncState.objects.create(resource="versions:dead-worker", synced_at=older, lease_until=now - timedelta(seconds=1))
    SyncState.objects.create(resource="unknown:x", synced_at=older)
    SyncState.objects.create(resource="assistants", synced_at=older)  # a plain listing: swept on its own
    assert set(_due_family_members()) == {"test-runs:staler", "versions:dead-worker", "versions:stale"}
    assert _due_family_members()[-1] == "versions:stale"


def test_the_sweep_is_bounded(settings, monkeypatch):
    monkeypatch.setattr("core.tasks.FAMILY_SWEEP_LIMIT", 3)
    for n in range(5):
        SyncState.objects.create(resource=f"versions:a{n}", synced_at=timezone.now() - timedelta(days=1, minutes=n))
    assert _due_family_members() == ["versions:a4", "versions:a3", "versions:a2"]
