"""Conversation sync in steps, detail, and writes, with Telnyx mocked by `responses`."""

from __future__ import annotations

import pytest
import responses
from responses import matchers

from conversations import services
from conversations.models import Conversation
from core.sync import acquire_lease
from portal.models import AuditEvent, SyncState

pytestmark = pytest.mark.django_db


def conv(n: int, **metadata) -> dict:
    return {
        "id": f"conv-{n}", "name": f"Call {n}", "created_at": f"2026-11-20T10:00:{n:02d}Z",
        "last_message_at": f"2026-11-20T10:05:{n:02d}Z",
        "metadata": {"assistant_id": "assistant-1", "assistant_version_id": f"v{n % 2}", **metadata},
    }


def page(base, items, created_at=None):
    params = {"order": "created_at.asc", "limit": "2"}
    if created_at:
        params["created_at"] = created_at
    responses.get(f"{base}/ai/conversations", json={"data": items}, match=[matchers.query_param_matcher(params)])


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)


@responses.activate
def test_sync_runs_in_steps_and_removes_what_telnyx_no_longer_has(telnyx_base, small_batches):
    Conversation.objects.create(telnyx_id="conv-gone", synced_at="2026-01-01T00:00:00Z")
    page(telnyx_base, [conv(1), conv(2)])
    page(telnyx_base, [conv(2), conv(3)], created_at="gte.2026-11-20T10:00:02Z")
    page(telnyx_base, [conv(3)], created_at="gte.2026-11-20T10:00:03Z")

    first = services.conversations_sync_step()
    assert not first.done and first.run_id and first.progress == 2
    assert Conversation.objects.filter(telnyx_id="conv-gone").exists()  # nothing removed mid-run
    second = services.conversations_sync_step(run_id=first.run_id)
    assert not second.done
    last = services.conversations_sync_step(run_id=first.run_id)

    assert last.done and last.progress == 3
    assert sorted(Conversation.objects.values_list("telnyx_id", flat=True)) == ["conv-1", "conv-2", "conv-3"]
    row = Conversation.objects.get(telnyx_id="conv-3")
    assert (row.assistant_id, row.assistant_version_id) == ("assistant-1", "v1")
    state = SyncState.objects.get(resource="conversations")
    assert state.synced_at and state.item_count == 3 and state.lease_until is None


@responses.activate
def test_a_failed_step_keeps_the_cache_and_ends_the_run(telnyx_base, small_batches):
    Conversation.objects.create(telnyx_id="conv-old", synced_at="2026-01-01T00:00:00Z")
    page(telnyx_base, [conv(1), conv(2)])
    responses.get(f"{telnyx_base}/ai/conversations", status=503)
    first = services.conversations_sync_step()
    failed = services.conversations_sync_step(run_id=first.run_id)
    assert failed.error is not None and not failed.done
    assert Conversation.objects.filter(telnyx_id="conv-old").exists()
    state = SyncState.objects.get(resource="conversations")
    assert "503" in state.last_error and state.lease_until is None and state.synced_at is None


@responses.activate
def test_a_second_run_waits_while_one_is_in_progress(telnyx_base, small_batches):
    acquire_lease("conversations")
    assert services.conversations_sync_step().busy
    assert len(responses.calls) == 0


@responses.activate
def test_a_whole_batch_in_one_instant_does_not_loop(telnyx_base, small_batches):
    same = [dict(conv(1), id="a"), dict(conv(1), id="b")]
    page(telnyx_base, [conv(0)] + [same[0]])
    page(telnyx_base, same, created_at="gte.2026-11-20T10:00:01Z")
    page(telnyx_base, [conv(5)], created_at="gt.2026-11-20T10:00:01Z")
    run = services.conversations_sync_step()
    done = services.conversations_sync_step(run_id=run.run_id)
    assert done.done
    assert set(Conversation.objects.values_list("telnyx_id", flat=True)) == {"conv-0", "a", "conv-5"}


@responses.activate
def test_detail_reads_messages_oldest_first_and_insights(telnyx_base, viewer):
    responses.get(f"{telnyx_base}/ai/conversations/conv-1", json={"data": conv(1)})
    responses.get(f"{telnyx_base}/ai/conversations/conv-1/messages", json={
        "data": [{"role": "assistant", "text": "Hello!", "created_at": "2026-11-20T10:00:02Z"},
                 {"role": "user", "text": "Hi", "created_at": "2026-11-20T10:00:01Z"}],
        "meta": {"page_number": 1, "total_pages": 1}})
    responses.get(f"{telnyx_base}/ai/conversations/conv-1/conversations-insights", json={
        "data": [{"id": "i1", "status": "completed", "created_at": "2026-11-20T10:06:00Z",
                  "conversation_insights": [{"insight_id": "sentiment", "result": "positive"}]}],
        "meta": {"page_number": 1, "page_size": 20, "total_pages": 1, "total_results": 1}})
    detail = services.conversation_fetch(user=viewer, conversation_id="conv-1")
    assert [m["text"] for m in detail.messages] == ["Hi", "Hello!"]
    assert detail.insights[0]["conversation_insights"][0]["result"] == "positive"
    assert Conversation.objects.filter(telnyx_id="conv-1").exists()


@responses.activate
def test_turning_ai_off_puts_metadata_and_audits(telnyx_base, team_admin):
    services.conversation_cache_put(conv(1))
    responses.put(f"{telnyx_base}/ai/conversations/conv-1", json={"data": conv(1, ai_disabled="true")},
                  match=[matchers.json_params_matcher({"metadata": {"ai_disabled": "true"}})])
    services.conversation_set_ai(user=team_admin, conversation_id="conv-1", enabled=False)
    assert Conversation.objects.get(telnyx_id="conv-1").ai_disabled is True
    event = AuditEvent.objects.get()
    assert event.summary == "Disabled AI replies" and event.changes == {"ai_disabled": {"before": False, "after": True}}


@responses.activate
def test_failed_delete_keeps_the_cached_conversation(telnyx_base, team_admin):
    services.conversation_cache_put(conv(1))
    responses.delete(f"{telnyx_base}/ai/conversations/conv-1", status=500)
    with pytest.raises(Exception):
        services.conversation_delete(user=team_admin, conversation_id="conv-1")
    assert Conversation.objects.filter(telnyx_id="conv-1").exists()
    assert AuditEvent.objects.get().outcome == "failure"
