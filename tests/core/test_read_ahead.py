"""A list's sync state rides on the session's read (`portal.read_ahead`): a repeat view of a list
is two queries, as a bare view is, and what rides along is exactly what the list's own query
reads (the state row, whether a sync waits for a worker, the cache generations)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.module_loading import import_string

from core.background import SYNC_LISTING, listing_sync_queued, listing_sync_state, read_listing_state_ahead, task_key
from core.sync import sync_state
from portal import generations, read_ahead
from portal.models import SyncState, TaskRecord

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def in_request(view):
    """`view()` as the middleware runs it: read-ahead and generations scoped to one request."""
    return read_ahead.ReadAheadMiddleware(generations.GenerationsPerRequest(lambda request: view()))(None)


def a_session(user) -> str:
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store["_auth_user_id"] = str(user.pk)
    store.create()
    return store.session_key


def read_ahead_state(session_key: str, resource: str):
    """The state as a list view gets it: asked for, then the session read, then read."""
    def view():
        read_listing_state_ahead(resource)
        store = import_string("portal.session_engines.db.SessionStore")(session_key)
        with CaptureQueriesContext(connection) as queries:
            data = store.load()
            state = listing_sync_state(resource)
        return data, state, [q["sql"] for q in queries]
    return in_request(view)


@pytest.mark.parametrize("shape", ["synced with an error and a lease", "never synced, a sync queued", "never synced, none queued",
                                   "synced, its sync queued long ago"])
def test_what_rides_on_the_session_read_is_what_the_list_reads_alone(team_admin, shape):
    resource = "mcp_servers"
    if shape.startswith("synced"):
        SyncState.objects.create(resource=resource, synced_at=NOW, last_attempt_at=NOW, last_error="Telnyx said no",
                                 lease_until=NOW + timedelta(minutes=5), item_count=3, run_id="run-1", run_progress=40)
    if "queued" in shape and "none" not in shape:
        updated = NOW - timedelta(hours=1) if "long ago" in shape else NOW
        TaskRecord.objects.create(task_id="t-1", name=SYNC_LISTING, key=task_key(SYNC_LISTING, [resource], {}),
                                  state=TaskRecord.State.QUEUED)
        TaskRecord.objects.filter(task_id="t-1").update(updated_at=updated)
    data, state, queries = read_ahead_state(a_session(team_admin), resource)
    assert data["_auth_user_id"] == str(team_admin.pk)
    assert len(queries) == 1 and "django_session" in queries[0] and "portal_syncstate" in queries[0]
    alone = in_request(lambda: listing_sync_state(resource))
    expected = sync_state(resource)
    for field in SyncState._meta.concrete_fields:
        assert getattr(state, field.attname) == getattr(expected, field.attname) == getattr(alone, field.attname), field.name
    assert state.sync_queued == listing_sync_queued(resource) == ("queued" in shape and "none" not in shape and "long ago" not in shape)


def test_an_expired_session_reads_nothing_ahead_and_the_list_reads_its_own(team_admin):
    SyncState.objects.create(resource="mcp_servers", synced_at=NOW, item_count=2)
    key = a_session(team_admin)
    import_string("portal.session_engines.db.SessionStore")().model.objects.filter(session_key=key).update(
        expire_date=NOW - timedelta(seconds=1))
    data, state, queries = read_ahead_state(key, "mcp_servers")
    assert data == {} and state.item_count == 2
    assert len(queries) == 2 and "portal_syncstate" in queries[1] and "django_session" not in queries[1]


def test_a_repeat_view_of_a_list_is_two_queries_like_a_bare_view(team_admin, kept_clock_still):
    SyncState.objects.create(resource="mcp_servers", synced_at=timezone.now())
    client = Client()
    client.force_login(team_admin)
    client.get("/mcp-servers/")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/mcp-servers/")
    assert page.status_code == 200 and b"MCP servers" in page.content
    sqls = [q["sql"] for q in queries]
    assert len(sqls) == 2, sqls  # the session with the list's state; the user
    assert "django_session" in sqls[0] and "portal_syncstate" in sqls[0] and "auth_user" in sqls[1]


def test_a_signed_out_visitor_is_sent_to_the_login_page_with_no_state_read():
    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/mcp-servers/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not any("portal_syncstate" in q["sql"] for q in queries)


def test_the_cached_engine_reads_ahead_on_a_cache_miss_and_keeps_the_session_until_it_expires(team_admin, settings):
    settings.SESSION_ENGINE = "portal.session_engines.cached_db"
    SyncState.objects.create(resource="mcp_servers", synced_at=NOW, item_count=4)
    store_class = import_string("portal.session_engines.cached_db.SessionStore")
    store = store_class()
    store["_auth_user_id"] = str(team_admin.pk)
    store.set_expiry(3600)
    store.create()
    key = store.session_key
    caches[settings.SESSION_CACHE_ALIAS].delete(store.cache_key)  # another host wrote it: not in this cache

    def view():
        read_listing_state_ahead("mcp_servers")
        loaded = store_class(key)
        with CaptureQueriesContext(connection) as queries:
            data = loaded.load()
            state = listing_sync_state("mcp_servers")
        return data, state, len(queries), loaded.get_expiry_age()

    data, state, queries, age = in_request(view)
    assert data["_auth_user_id"] == str(team_admin.pk) and state.item_count == 4 and queries == 1
    assert 3500 < age <= 3600
    assert caches[settings.SESSION_CACHE_ALIAS].get(store.cache_key)["_auth_user_id"] == str(team_admin.pk)
