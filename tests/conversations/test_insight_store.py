"""The one store of insight results: newest event wins, structured fields kept, the sync fills it resumably."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from conversations.insights import sync as insight_sync
from conversations.insights.store import insight_result_store, structured_values
from conversations.models import Conversation, InsightResult
from portal.models import SyncState

pytestmark = pytest.mark.django_db


def _conversation(n: int, version: str = "v1") -> Conversation:
    now = timezone.now()
    return Conversation.objects.create(telnyx_id=f"conv-{n}", assistant_id="a-1", assistant_version_id=version,
                                       created_at=now, synced_at=now)


def test_an_older_event_never_replaces_a_newer_result():
    _conversation(1)
    now = timezone.now()
    assert insight_result_store(conversation_id="conv-1", template_id="t-1", result='{"score": 4}', status="completed",
                                occurred_at=now, event_id="ev-new")
    assert not insight_result_store(conversation_id="conv-1", template_id="t-1", result='{"score": 1}',
                                    status="completed", occurred_at=now - timedelta(minutes=5), event_id="ev-old")
    assert not insight_result_store(conversation_id="conv-1", template_id="t-1", result='{"score": 2}',
                                    status="completed", occurred_at=now, event_id="ev-same-time")
    stored = InsightResult.objects.get()
    assert (stored.event_id, stored.values) == ("ev-new", {"score": 4.0})
    assert (stored.assistant_id, stored.assistant_version_id) == ("a-1", "v1")  # the conversation's, for analytics


def test_a_newer_event_replaces_the_result():
    _conversation(1)
    now = timezone.now()
    insight_result_store(conversation_id="conv-1", template_id="t-1", result="first", status="completed", occurred_at=now)
    assert insight_result_store(conversation_id="conv-1", template_id="t-1", result="second", status="completed",
                                occurred_at=now + timedelta(seconds=1))
    assert InsightResult.objects.get().result == "second"


def test_structured_values_keep_numbers_flags_and_short_text():
    raw = json.dumps({"score": 3, "resolved": False, "sentiment": "positive", "notes": "x" * 300, "tags": ["a"]})
    assert structured_values(raw) == {"score": 3.0, "resolved": False, "sentiment": "positive"}
    assert structured_values("The caller wanted a refund.") == {}


def _runs(conversation_id: str, status: str = "completed") -> list[dict]:
    return [{"id": f"r-{conversation_id}", "status": status, "created_at": "2026-11-20T10:00:00Z",
             "conversation_insights": [{"insight_id": "t-1", "result": json.dumps({"score": 0.5, "resolved": True})}]}]


@responses.activate
def test_the_sync_reads_each_unread_conversation_and_resumes_after_a_failure(telnyx_base, monkeypatch):
    monkeypatch.setattr(insight_sync, "BATCH_SIZE", 2)
    SyncState.objects.create(resource="conversations", synced_at=timezone.now())
    for n in range(1, 6):
        _conversation(n)
    for n in (1, 2):
        responses.get(f"{telnyx_base}/ai/conversations/conv-{n}/conversations-insights", json={"data": _runs(f"conv-{n}")})
    responses.get(f"{telnyx_base}/ai/conversations/conv-3/conversations-insights", status=503,
                  json={"errors": [{"code": "10007", "title": "Unavailable"}]})
    outcome = insight_sync.insights_sync()
    assert outcome.error is not None
    assert set(InsightResult.objects.values_list("conversation_id", flat=True)) == {"conv-1", "conv-2"}
    assert SyncState.objects.get(resource=insight_sync.RESOURCE).last_error

    responses.reset()
    for n in (3, 4):
        responses.get(f"{telnyx_base}/ai/conversations/conv-{n}/conversations-insights", json={"data": _runs(f"conv-{n}")})
    responses.get(f"{telnyx_base}/ai/conversations/conv-5/conversations-insights", json={"data": _runs("conv-5", "pending")})
    outcome = insight_sync.insights_sync()
    assert outcome.error is None and outcome.count == 5
    # The second run read only what the first had not: conv-1 and conv-2 were not asked again.
    assert sorted(c.request.url.split("/")[-2] for c in responses.calls) == ["conv-3", "conv-4", "conv-5"]
    read = set(Conversation.objects.exclude(insights_synced_at=None).values_list("telnyx_id", flat=True))
    assert read == {"conv-1", "conv-2", "conv-3", "conv-4"}  # conv-5's run is pending: read again next time
    assert InsightResult.objects.get(conversation_id="conv-4").values == {"score": 0.5, "resolved": True}


def test_a_conversation_re_sync_keeps_when_its_insights_were_read():
    from conversations import services

    services.conversation_cache_put({"id": "conv-1", "metadata": {"assistant_id": "a-1"}})
    Conversation.objects.update(insights_synced_at=timezone.now())
    services._store([{"id": "conv-1", "name": "Renamed", "metadata": {"assistant_id": "a-1"}}])
    row = Conversation.objects.get()
    assert row.name == "Renamed" and row.insights_synced_at is not None


@responses.activate
def test_the_detail_page_stores_what_it_reads_and_shows_the_stored_results_when_telnyx_fails(viewer_client, telnyx_base):
    from django.urls import reverse

    from conversations.models import InsightTemplate

    InsightTemplate.objects.create(telnyx_id="t-1", name="Satisfaction", synced_at=timezone.now())
    item = {"id": "conv-1", "name": "Call 1", "metadata": {"assistant_id": "a-1", "assistant_version_id": "v1"}}
    responses.get(f"{telnyx_base}/ai/conversations/conv-1", json={"data": item})
    responses.get(f"{telnyx_base}/ai/conversations/conv-1/messages", json={"data": [], "meta": {"total_pages": 1}})
    responses.get(f"{telnyx_base}/ai/conversations/conv-1/conversations-insights", json={"data": _runs("conv-1")})
    url = reverse("conversations:conversation-detail", args=["conv-1"])
    assert "Satisfaction" in viewer_client.get(url).content.decode()
    assert InsightResult.objects.get().source == "detail"

    responses.reset()
    responses.get(f"{telnyx_base}/ai/conversations/conv-1", status=503, json={"errors": [{"title": "Unavailable"}]})
    content = viewer_client.get(url).content.decode()
    assert "Satisfaction" in content and "0.5" in content  # from the store


@responses.activate
def test_the_sync_waits_while_the_conversations_sync_is_half_done(telnyx_base, monkeypatch):
    """Results are read only once the conversations cache is complete: a sync in flight first."""
    from core.tasks import refresh_listings

    _conversation(1)
    SyncState.objects.create(resource="conversations", run_id="half-done", lease_until=timezone.now() + timedelta(minutes=1))
    assert not insight_sync.insights_sync().ran
    assert len(responses.calls) == 0 and not InsightResult.objects.exists()
    monkeypatch.setattr("core.tasks.enqueue_listing_sync", lambda resource: None)
    assert insight_sync.RESOURCE not in refresh_listings.run()  # the sweep leaves it for later
    SyncState.objects.filter(resource="conversations").update(run_id="", lease_until=None, synced_at=timezone.now())
    assert insight_sync.RESOURCE in refresh_listings.run()
