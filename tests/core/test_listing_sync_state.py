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


def settings_options(**environ) -> dict:
    """DATABASES' OPTIONS as portal.settings reads them from `environ` (a fresh process)."""
    import json
    import os
    import subprocess
    import sys

    code = ("import json, portal.settings as s;"
            "print(json.dumps(s.DATABASES['default'].get('OPTIONS', {}), sort_keys=True, default=str))")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}, "SECRET_KEY": "x" * 50, **environ}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_prepared_statements_are_a_setting_off_by_default():
    url = "postgres://portal@db.invalid:5432/portal"
    assert settings_options(DATABASE_URL=url) == {}
    assert settings_options(DATABASE_URL=url, DATABASE_PREPARED="true") == {"prepare_threshold": 5, "server_side_binding": True}
    assert settings_options(DATABASE_URL=url, DATABASE_PREPARED="true", DATABASE_PREPARE_THRESHOLD="2")["prepare_threshold"] == 2
    assert "server_side_binding" not in settings_options(DATABASE_URL="sqlite:///unused.sqlite3", DATABASE_PREPARED="true")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side binding is PostgreSQL's")
def test_the_state_read_prepared_is_the_orms_row(monkeypatch):
    """With DATABASE_PREPARED the state query runs as a prepared statement once past the
    threshold, and still reads the row the ORM reads."""
    now = timezone.now()
    SyncState.objects.create(resource="conversations", synced_at=now, lease_until=now + timedelta(minutes=5),
                             item_count=7, run_cursor="page-2")
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "OPTIONS",
                        {**connection.settings_dict["OPTIONS"], "server_side_binding": True, "prepare_threshold": 2})
    try:
        states = [generations.GenerationsPerRequest(lambda request: listing_sync_state("conversations"))(None)
                  for _ in range(4)]
        with connection.cursor() as cursor:  # this session's prepared statements, as PostgreSQL lists them
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ['%FROM "portal_syncstate" ls WHERE%'])
            assert cursor.fetchone()[0] == 1
        expected = sync_state("conversations")
        for state in states:
            for field in SyncState._meta.concrete_fields:
                assert getattr(state, field.attname) == getattr(expected, field.attname), field.name
            assert state.sync_queued is False
    finally:
        connection.close()
