"""core.sync: one sync per resource at a time, all or nothing; a failure keeps the cache."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from core.sync import acquire_lease, replace_cache, run_sync, sync_state, sync_step
from mcp_servers.models import McpServer
from portal.models import SyncState
from portal.telnyx import APIConnectionError

pytestmark = pytest.mark.django_db


def fields(item: dict) -> dict:
    return {"telnyx_id": item["id"], "name": item["name"], "type": item.get("type", "")}


def cached_names() -> list[str]:
    return sorted(McpServer.objects.values_list("name", flat=True))


@pytest.fixture
def cached():
    replace_cache(McpServer, [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}], fields)


def test_replace_cache_upserts_and_drops_what_telnyx_no_longer_has(cached):
    replace_cache(McpServer, [{"id": "b", "name": "B2"}, {"id": "c", "name": "C"}], fields)
    assert cached_names() == ["B2", "C"]
    assert McpServer.objects.get(telnyx_id="c").payload == {"id": "c", "name": "C"}


def test_replace_cache_scope_limits_what_is_dropped(cached):
    replace_cache(McpServer, [{"id": "c", "name": "C", "type": "sse"}], fields, scope=Q(type="sse"))
    assert cached_names() == ["A", "B", "C"]


def test_a_successful_sync_records_count_and_time(cached):
    outcome = run_sync("mcp_servers", lambda: [{"id": "z", "name": "Z"}], lambda items: replace_cache(McpServer, items, fields))
    state = sync_state("mcp_servers")
    assert outcome.ok and outcome.count == 1 and cached_names() == ["Z"]
    assert state.item_count == 1 and state.synced_at and state.lease_until is None and state.last_error == ""


def test_a_failed_fetch_keeps_the_cache_releases_the_lease_and_says_why(cached):
    def fetch():
        yield {"id": "z", "name": "Z"}
        raise APIConnectionError(method="GET", path="ai/mcp_servers")

    outcome = run_sync("mcp_servers", fetch, lambda items: replace_cache(McpServer, items, fields))
    state = sync_state("mcp_servers")
    assert outcome.ran and not outcome.ok and outcome.error is not None
    assert cached_names() == ["A", "B"]
    assert state.lease_until is None and state.synced_at is None and "reach" in state.last_error.lower()


def test_a_failing_store_rolls_back_and_keeps_the_cache(cached):
    def store(items):
        replace_cache(McpServer, items, fields)
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        run_sync("mcp_servers", lambda: [{"id": "z", "name": "Z"}], store)
    assert cached_names() == ["A", "B"]
    assert sync_state("mcp_servers").lease_until is None


def test_a_held_lease_means_the_second_sync_does_not_run(cached):
    assert acquire_lease("mcp_servers")
    calls = []
    outcome = run_sync("mcp_servers", lambda: calls.append(1) or [], lambda items: 0)
    assert not outcome.ran and calls == [] and cached_names() == ["A", "B"]


def test_an_expired_lease_can_be_taken_over():
    SyncState.objects.create(resource="r", lease_until=timezone.now() - timedelta(seconds=1))
    assert acquire_lease("r") and not acquire_lease("r")


def test_a_failed_step_keeps_rows_and_ends_the_run(cached):
    pages = {"": ([{"id": "z", "name": "Z"}], "p2")}

    def fetch_batch(cursor):
        if cursor in pages:
            return pages[cursor]
        raise APIConnectionError(method="GET", path="ai/mcp_servers")

    def store_batch(items):
        return len([McpServer.objects.update_or_create(telnyx_id=i["id"], defaults={"name": i["name"], "payload": i,
                                                                                      "synced_at": timezone.now()}) for i in items])

    def finish(started):
        McpServer.objects.filter(synced_at__lt=started).delete()
        return McpServer.objects.count()

    first = sync_step("mcp_servers", run_id="", fetch_batch=fetch_batch, store_batch=store_batch, finish=finish)
    assert first.run_id and first.progress == 1 and not first.done
    second = sync_step("mcp_servers", run_id=first.run_id, fetch_batch=fetch_batch, store_batch=store_batch, finish=finish)
    assert second.error is not None and not second.done
    assert cached_names() == ["A", "B", "Z"]  # nothing deleted: the run never saw everything
    assert sync_state("mcp_servers").lease_until is None
