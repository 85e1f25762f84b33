"""Conversation pages: changelist from the cache, stepwise sync, detail, admin actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from conversations import services
from conversations.models import Conversation
from portal.models import SyncState

pytestmark = pytest.mark.django_db

LIST = reverse("conversations:conversation-list")


def conv(n: int, channel: str = "phone_call", assistant: str = "assistant-1") -> dict:
    return {"id": f"conv-{n}", "name": f"Call {n}", "created_at": f"2026-11-{10 + n:02d}T10:00:00Z",
            "last_message_at": f"2026-11-{10 + n:02d}T10:05:00Z",
            "metadata": {"assistant_id": assistant, "assistant_version_id": "v1", "telnyx_conversation_channel": channel}}


@pytest.fixture
def cached():
    for n in range(1, 6):
        services.conversation_cache_put(conv(n, channel="sms_chat" if n % 2 else "phone_call", assistant=f"assistant-{n % 2}"))
    SyncState.objects.create(resource="conversations", synced_at=timezone.now())


@responses.activate
def test_list_filters_by_channel_and_date_from_the_cache(viewer_client, cached):
    content = viewer_client.get(LIST, {"channel": "phone_call", "since": "2026-11-13"}).content.decode()
    assert "Call 4" in content and "Call 2" not in content and "1 result" in content
    assert len(responses.calls) == 0


def test_newest_first_by_default(viewer_client, cached):
    content = viewer_client.get(LIST).content.decode()
    assert content.index("Call 5") < content.index("Call 1")


def test_htmx_gets_only_the_table(viewer_client, cached):
    response = viewer_client.get(LIST, headers={"HX-Request": "true"})
    assert b'id="changelist-table"' in response.content and b"<html" not in response.content


@responses.activate
def test_refresh_syncs_every_batch_then_asks_the_table_to_reload(viewer_client, telnyx_base, monkeypatch):
    # Tasks run inline in unit tests: one Refresh runs the whole stepwise sync.
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    responses.get(f"{telnyx_base}/ai/conversations", json={"data": [conv(1), conv(2)]})
    responses.get(f"{telnyx_base}/ai/conversations", json={"data": [conv(2), conv(3)]})
    responses.get(f"{telnyx_base}/ai/conversations", json={"data": [conv(3)]})
    response = viewer_client.post(reverse("conversations:conversation-sync"), headers={"HX-Request": "true"})
    assert b"Loaded 3 conversations" in response.content
    assert response["HX-Trigger"] == "conversations-synced"
    assert Conversation.objects.count() == 3


def test_a_sync_running_on_a_worker_shows_its_progress_on_any_page(viewer_client, cached):
    SyncState.objects.filter(resource="conversations").update(
        run_id="r1", run_progress=41000, lease_until=timezone.now() + timedelta(seconds=60))
    page = viewer_client.get(LIST).content.decode()
    assert "Loading conversations from Telnyx in the background" in page and "41,000" in page
    assert "5 results" in page  # the cache keeps serving meanwhile
    polled = viewer_client.post(reverse("conversations:conversation-sync"), {"waiting": "1"}, headers={"HX-Request": "true"})
    assert b"41,000" in polled.content and "HX-Trigger" not in polled
    SyncState.objects.filter(resource="conversations").update(run_id="", lease_until=None, item_count=5)
    done = viewer_client.post(reverse("conversations:conversation-sync"), {"waiting": "1"}, headers={"HX-Request": "true"})
    assert b"Loaded 5 conversations" in done.content and done["HX-Trigger"] == "conversations-synced"


@responses.activate
def test_sync_failure_says_so_and_keeps_the_list(viewer_client, telnyx_base, cached):
    responses.get(f"{telnyx_base}/ai/conversations", status=503)
    response = viewer_client.post(reverse("conversations:conversation-sync"), headers={"HX-Request": "true"})
    assert b"The refresh stopped; the cached list is unchanged" in response.content
    assert Conversation.objects.count() == 5


@responses.activate
def test_detail_falls_back_to_the_cache_when_telnyx_fails(viewer_client, telnyx_base, cached):
    responses.get(f"{telnyx_base}/ai/conversations/conv-2", status=503)
    response = viewer_client.get(reverse("conversations:conversation-detail", args=["conv-2"]))
    assert response.status_code == 200
    assert b"Showing the cached copy" in response.content and b"Call 2" in response.content


@responses.activate
def test_admin_turns_ai_off_from_the_detail_page(team_admin_client, telnyx_base, cached):
    responses.put(f"{telnyx_base}/ai/conversations/conv-1", json={"data": {**conv(1), "metadata": {"ai_disabled": "true"}}})
    response = team_admin_client.post(reverse("conversations:conversation-ai", args=["conv-1"]), {"enabled": "false"}, follow=False)
    assert response.status_code == 302
    assert Conversation.objects.get(telnyx_id="conv-1").ai_disabled


@pytest.mark.parametrize("name", ["conversations:conversation-ai", "conversations:conversation-delete"])
def test_viewer_and_operator_cannot_change_conversations(viewer_client, operator_client, cached, name):
    for client in (viewer_client, operator_client):
        assert client.post(reverse(name, args=["conv-1"])).status_code == 403
    assert Conversation.objects.count() == 5


@responses.activate
def test_detail_names_each_insight_and_formats_structured_results(viewer_client, telnyx_base):
    from conversations.models import InsightTemplate

    InsightTemplate.objects.create(telnyx_id="tpl-summary", name="Call summary", synced_at=timezone.now())
    InsightTemplate.objects.create(telnyx_id="tpl-mood", name="Sentiment", synced_at=timezone.now())
    responses.get(f"{telnyx_base}/ai/conversations/conv-1", json={"data": conv(1)})
    responses.get(f"{telnyx_base}/ai/conversations/conv-1/messages", json={"data": [], "meta": {"page_number": 1, "total_pages": 1}})
    responses.get(f"{telnyx_base}/ai/conversations/conv-1/conversations-insights", json={
        "data": [{"id": "i1", "status": "completed", "created_at": "2026-11-20T10:06:00Z", "conversation_insights": [
            {"insight_id": "tpl-summary", "result": '{"summary": "Asked about opening hours", "score": 4.5, "resolved": true}'},
            {"insight_id": "tpl-mood", "result": "positive"},
            {"insight_id": "tpl-gone", "result": "7"},
        ]}], "meta": {"page_number": 1, "page_size": 20, "total_pages": 1, "total_results": 1}})
    content = viewer_client.get(reverse("conversations:conversation-detail", args=["conv-1"])).content.decode()
    insights = content[content.index("<h2>Insights</h2>"):]
    assert ">Call summary</h3>" in insights and ">Sentiment</h3>" in insights and ">Unnamed insight</h3>" in insights
    assert "<dt>Summary</dt><dd>Asked about opening hours</dd>" in insights
    assert "<dt>Score</dt><dd><strong>4.5</strong></dd>" in insights and ">yes</span>" in insights
    assert "<p>positive</p>" in insights and '"summary"' not in insights  # no raw JSON


def test_a_sync_queued_for_a_worker_shows_on_the_list_until_a_worker_starts_it(viewer_client, cached):
    """The state and the queued sync are read in one query (core.background.listing_sync_state)."""
    from core.background import SYNC_LISTING, task_key
    from portal.models import TaskRecord

    assert "Loading conversations from Telnyx in the background" not in viewer_client.get(LIST).content.decode()
    record = TaskRecord.objects.create(task_id="t1", name=SYNC_LISTING, key=task_key(SYNC_LISTING, ["conversations"], {}),
                                       label="Sync conversations")
    assert "Loading conversations from Telnyx in the background" in viewer_client.get(LIST).content.decode()
    TaskRecord.objects.filter(pk=record.pk).update(updated_at=timezone.now() - timedelta(hours=1))  # its worker vanished long ago
    assert "Loading conversations from Telnyx in the background" not in viewer_client.get(LIST).content.decode()
    TaskRecord.objects.filter(pk=record.pk).update(updated_at=timezone.now(), state=TaskRecord.State.RUNNING)
    assert "Loading conversations from Telnyx in the background" not in viewer_client.get(LIST).content.decode()  # no lease held
