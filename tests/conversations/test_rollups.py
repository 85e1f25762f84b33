"""The per-day rollups the dashboard and analytics read move with every write to the conversation
cache and the insight store, and always equal what a rebuild from the tables would count."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from conversations.insights.store import insight_result_store
from conversations.models import Conversation, ConversationDay, InsightDay
from conversations.rollups import rebuild
from conversations.services import _store, conversation_cache_put
from core.cache import cache_delete, cache_update
from core.changelist.kept import forget_recent_pages

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def item(n: int, *, version: str = "v-1", days_ago: int = 0) -> dict:
    return {"id": f"c-{n}", "name": f"Chat {n}", "created_at": (NOW - timedelta(days=days_ago)).isoformat(),
            "metadata": {"assistant_id": "a-1", "assistant_version_id": version}}


def volume() -> dict:
    return {(r.day, r.assistant_version_id): r.n for r in ConversationDay.objects.all() if r.n}


def insight_days() -> dict:
    return {(r.template_id, r.day, r.assistant_version_id): (r.n, r.sums) for r in InsightDay.objects.all() if r.n}


def rebuilt(read) -> dict:
    before = read()
    rebuild()
    assert read() == before, "the rollup kept at write time differs from one rebuilt from the tables"
    return before


def test_sync_batches_writes_and_deletes_move_the_daily_volume():
    today, yesterday = timezone.localdate(), timezone.localdate() - timedelta(days=1)
    _store([item(n, days_ago=n % 2) for n in range(10)])
    assert rebuilt(volume) == {(today, "v-1"): 5, (yesterday, "v-1"): 5}
    _store([item(0, version="v-2"), item(1, days_ago=0), item(10)])  # a re-sync: one moved version, one moved day, one new
    assert rebuilt(volume) == {(today, "v-1"): 6, (today, "v-2"): 1, (yesterday, "v-1"): 4}
    conversation_cache_put(item(11, version="v-2"))
    cache_delete(Conversation.objects.filter(telnyx_id__in=["c-2", "c-3"]))
    cache_update(Conversation.objects.filter(telnyx_id="c-4"), assistant_version_id="v-2")
    assert rebuilt(volume) == {(today, "v-1"): 4, (today, "v-2"): 3, (yesterday, "v-1"): 3}


def test_a_newer_insight_result_replaces_the_older_in_the_daily_aggregates():
    _store([item(1), item(2)])
    day = timezone.localdate()
    earlier, later = NOW - timedelta(minutes=5), NOW
    insight_result_store(conversation_id="c-1", template_id="t", status="completed", occurred_at=earlier,
                         result=json.dumps({"score": 2, "resolved": False, "summary": "meh"}))
    insight_result_store(conversation_id="c-2", template_id="t", status="completed", occurred_at=later,
                         result=json.dumps({"score": 4, "resolved": True}))
    insight_result_store(conversation_id="c-1", template_id="t", status="completed", occurred_at=later,
                         result=json.dumps({"score": 5}))  # replaces c-1's first result
    insight_result_store(conversation_id="c-1", template_id="t", status="completed", occurred_at=earlier,
                         result=json.dumps({"score": 1}))  # older: ignored
    assert rebuilt(insight_days) == {("t", day, "v-1"): (2, {"score": {"score": [9.0, 2]}, "flag": {"resolved": [1.0, 1]}})}


def test_the_rebuild_command_recounts_rows_loaded_around_the_write_path(capsys):
    Conversation.objects.bulk_create([Conversation(telnyx_id=f"b-{n}", assistant_id="a-1", created_at=NOW, synced_at=NOW)
                                      for n in range(3)])
    assert volume() == {}  # bulk_create sends no signal: not counted until a rebuild
    Conversation.objects.create(telnyx_id="one", assistant_id="a-1", created_at=NOW, synced_at=NOW)
    assert volume() == {(timezone.localdate(), ""): 1}  # a single save is counted as it happens
    call_command("rebuild_rollups")
    assert volume() == {(timezone.localdate(), ""): 4} and "Rebuilt 1 conversation-day rows" in capsys.readouterr().out


def test_the_conversation_list_counts_from_the_rollup_as_the_table_would(viewer_client):
    from portal.models import SyncState

    SyncState.objects.create(resource="conversations", synced_at=timezone.now())
    _store([{**item(n, version=f"v-{n % 2}", days_ago=n % 3),
             "metadata": {"assistant_id": f"a-{n % 2}", "telnyx_conversation_channel": ("phone_call", "web_chat")[n % 3 > 0]}}
            for n in range(12)] + [{"id": "undated", "metadata": {"assistant_id": "a-1"}}])
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    for params in ({}, {"assistant": "a-1"}, {"channel": "web_chat"}, {"since": since}, {"assistant": "a-0", "until": since}):
        content = viewer_client.get("/conversations/", params).content.decode()
        rows = Conversation.objects.all()
        if "assistant" in params:
            rows = rows.filter(assistant_id=params["assistant"])
        if "channel" in params:
            rows = rows.filter(channel=params["channel"])
        if "since" in params:
            rows = rows.filter(created_at__date__gte=params["since"])
        if "until" in params:
            rows = rows.filter(created_at__date__lte=params["until"])
        n = rows.count()
        assert f"{n} result{'s' if n != 1 else ''}" in content, (params, n)
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()

    forget_recent_pages()  # this process's copies of kept pages too
    with CaptureQueriesContext(connection) as queries:
        viewer_client.get("/conversations/", {"channel": "web_chat"})
    assert not [q for q in queries.captured_queries if 'COUNT(*)' in q["sql"] and '"conversations_conversation"' in q["sql"]]


def test_test_traffic_counts_apart_so_the_list_total_and_the_dashboard_count_real_calls(admin_client):
    test_call = item(3)
    test_call["metadata"]["test_id"] = "t-1"  # started by a test run
    _store([item(1), item(2), test_call])
    assert rebuilt(lambda: {(r.is_test, r.n) for r in ConversationDay.objects.all() if r.n}) == {(False, 2), (True, 1)}

    from conversations.selectors import rollup_count
    assert rollup_count({}, "") == 2  # the call log's default: real traffic, tests hidden
    assert rollup_count({"traffic": "tests"}, "") == 1
    assert rollup_count({"traffic": "all"}, "") == 3
    page = admin_client.get("/conversations/")
    assert page.status_code == 200 and "Chat 3" not in page.content.decode()
