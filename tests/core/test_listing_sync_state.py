"""A list's sync state read with its own SQL (`listing_sync_state`, one query with the queued sync
and the request's cache generations) is the row the ORM reads: every field, dates as dates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import cache as core_cache
from core.background import listing_sync_state
from core.sync import sync_state
from portal import generations
from portal.models import SyncState

pytestmark = pytest.mark.django_db


def test_the_state_read_in_one_query_is_the_orms_row_and_brings_the_generations():
    now = timezone.now()
    SyncState.objects.create(resource="conversations", synced_at=now, last_attempt_at=now - timedelta(minutes=1),
                             last_error="Telnyx said no", lease_until=now + timedelta(minutes=5), item_count=7,
                             run_id="run-1", run_started_at=now, run_cursor="page-2", run_progress=40,
                             skipped_count=1, skipped_note="one bad id")
    core_cache.bump(SyncState)

    def view(request):  # as in a request: the generations are read once (`GenerationsPerRequest`)
        with CaptureQueriesContext(connection) as queries:
            state = listing_sync_state("conversations")
            kept = core_cache.generations([SyncState])
        assert len(queries) == 1 and kept == (1,)
        return state

    state = generations.GenerationsPerRequest(view)(None)
    expected = sync_state("conversations")
    for field in SyncState._meta.concrete_fields:
        assert getattr(state, field.attname) == getattr(expected, field.attname), field.name
    assert state.synced_at.tzinfo is not None and state.sync_queued is False
    assert listing_sync_state("never-synced").pk is None
