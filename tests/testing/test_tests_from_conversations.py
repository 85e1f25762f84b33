"""Real calls become tests: "Make a test" drafts one from a conversation and links back, and the
conversations list's bulk action makes the selected conversations tests of one suite."""

from __future__ import annotations

import json

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from conversations import services as conversation_services
from portal.models import SyncState
from testing.models import AssistantTest, TestOrigin

pytestmark = pytest.mark.django_db
AID = "assistant-1"


def conv(n, channel="phone_call"):
    return {"id": f"conv-{n}", "name": f"Call {n}", "created_at": "2026-11-20T10:00:00Z",
            "last_message_at": "2026-11-20T10:05:00Z",
            "metadata": {"assistant_id": AID, "assistant_version_id": "v7", "telnyx_conversation_channel": channel}}


def mock_conversation(base, n, *, channel="phone_call", resolved=False, score=0.31):
    responses.get(f"{base}/ai/conversations/conv-{n}", json={"data": conv(n, channel)})
    responses.get(f"{base}/ai/conversations/conv-{n}/messages", json={"data": [
        {"role": "user", "text": "I want to move my booking to Friday.", "created_at": "2026-11-20T10:00:01Z"},
        {"role": "assistant", "text": "Sorry, I cannot help with that.", "created_at": "2026-11-20T10:00:02Z"},
        {"role": "user", "text": "Then cancel it please.", "created_at": "2026-11-20T10:00:03Z"},
    ], "meta": {"page_number": 1, "total_pages": 1}})
    responses.get(f"{base}/ai/conversations/conv-{n}/conversations-insights", json={"data": [
        {"id": "i1", "status": "completed", "created_at": "2026-11-20T10:06:00Z", "conversation_insights": [
            {"insight_id": "tpl-q", "result": json.dumps({"score": score, "resolved": resolved, "summary": "x"})}]}],
        "meta": {"page_number": 1, "total_pages": 1}})


def created_test(request, n=1):
    body = json.loads(request.body)
    return 200, {"Content-Type": "application/json"}, json.dumps({"data": {
        **body, "test_id": f"t-{body['name'][-1]}", "created_at": "2026-11-21T10:00:00Z"}})


@responses.activate
def test_make_a_test_prefills_caller_turns_failed_insights_and_web_chat(team_admin_client, telnyx_base):
    from conversations.models import InsightTemplate
    InsightTemplate.objects.create(telnyx_id="tpl-q", name="Quality", synced_at=timezone.now())
    mock_conversation(telnyx_base, 1)
    page = team_admin_client.get(reverse("testing:test-add") + "?from_conversation=conv-1").content.decode()
    assert 'data-testid="draft-origin"' in page and reverse("conversations:conversation-detail", args=["conv-1"]) in page
    assert "1. I want to move my booking to Friday." in page and "2. Then cancel it please." in page
    assert "Sorry, I cannot help" not in page.split('name="instructions"')[1].split("</textarea>")[0]
    assert 'value="quality_resolved"' in page and 'value="quality_score"' in page
    assert 'value="web_chat" selected' in page  # a phone call cannot run against an assistant id
    assert f'value="{AID}"' in page


@responses.activate
def test_saving_the_draft_links_the_test_back_to_its_conversation(team_admin_client, telnyx_base, test_json):
    responses.post(f"{telnyx_base}/ai/assistants/tests", json={"data": test_json(1, test_id="t-new", name="From conversation: Call 1")})
    data = {"name": "From conversation: Call 1", "destination": AID, "telnyx_conversation_channel": "web_chat",
            "instructions": "1. I want to move my booking.", "from_conversation": "conv-1", "from_conversation_name": "Call 1",
            "rubric-TOTAL_FORMS": "1", "rubric-INITIAL_FORMS": "0", "rubric-0-name": "resolved", "rubric-0-criteria": "Resolves it"}
    response = team_admin_client.post(reverse("testing:test-add"), data)
    assert response.status_code == 302
    assert TestOrigin.objects.get(test_id="t-new").conversation_id == "conv-1"
    responses.get(f"{telnyx_base}/ai/assistants/tests/t-new", json={"data": test_json(1, test_id="t-new")})
    responses.get(f"{telnyx_base}/ai/assistants/tests/t-new/runs", json={"data": [], "meta": {"page_number": 1, "total_pages": 1}})
    detail = team_admin_client.get(reverse("testing:test-detail", args=["t-new"])).content.decode()
    origin = detail.split('data-testid="test-origin"')[1].split("</div>")[0]
    assert reverse("conversations:conversation-detail", args=["conv-1"]) in origin and "Call 1" in origin


@responses.activate
def test_bulk_add_makes_each_selected_conversation_a_test_of_the_suite(team_admin_client, telnyx_base):
    for n in (1, 2):
        mock_conversation(telnyx_base, n)
        conversation_services.conversation_cache_put(conv(n))
    SyncState.objects.create(resource="conversations", synced_at=timezone.now())
    listing = team_admin_client.get(reverse("conversations:conversation-list")).content.decode()
    assert 'data-testid="add-to-suite"' in listing and 'name="selected" value="conv-1"' in listing
    responses.add_callback(responses.POST, f"{telnyx_base}/ai/assistants/tests", callback=created_test)
    response = team_admin_client.post(reverse("testing:conversations-to-suite"),
                                      {"suite": "Real calls", "selected": ["conv-1", "conv-2"], "idempotency_key": "k1"})
    assert response.url == reverse("testing:suite-detail", args=["Real calls"])
    posts = [c for c in responses.calls if c.request.method == "POST"]
    bodies = [json.loads(c.request.body) for c in posts]
    assert [b["test_suite"] for b in bodies] == ["Real calls", "Real calls"]
    assert {c.request.headers["Idempotency-Key"] for c in posts} == {"k1-conv-1", "k1-conv-2"}
    assert all("Then cancel it please." in b["instructions"] for b in bodies)
    assert set(AssistantTest.objects.values_list("test_suite", flat=True)) == {"Real calls"}
    assert set(TestOrigin.objects.values_list("conversation_id", flat=True)) == {"conv-1", "conv-2"}


@responses.activate
def test_bulk_add_reports_a_conversation_telnyx_cannot_read_and_makes_the_rest(team_admin_client, telnyx_base):
    mock_conversation(telnyx_base, 1)
    responses.get(f"{telnyx_base}/ai/conversations/conv-9", status=404, json={"errors": [{"title": "Not found"}]})
    responses.add_callback(responses.POST, f"{telnyx_base}/ai/assistants/tests", callback=created_test)
    response = team_admin_client.post(reverse("testing:conversations-to-suite"),
                                      {"suite": "Real calls", "selected": ["conv-1", "conv-9"], "idempotency_key": "k2"},
                                      follow=True)
    text = response.content.decode()
    assert "Made 1 test in the suite" in text and "Not made into a test" in text
    assert AssistantTest.objects.count() == 1


def test_bulk_add_needs_a_suite_and_a_selection_and_an_admin(team_admin_client, operator_client):
    response = team_admin_client.post(reverse("testing:conversations-to-suite"), {"selected": ["conv-1"]}, follow=True)
    assert "Name the suite" in response.content.decode()
    assert operator_client.post(reverse("testing:conversations-to-suite"), {"suite": "x", "selected": ["c"]}).status_code == 403


def test_bulk_add_goes_back_only_to_a_path_on_this_site(team_admin_client):
    """A `next` that is not a path here (another host, a bare word) sends the Admin back to the list, never a 500."""
    for bad in ("99999999999999999999999999", "https://evil.example/x", "//evil.example/x"):
        response = team_admin_client.post(reverse("testing:conversations-to-suite"), {"selected": ["conv-1"], "next": bad})
        assert response.status_code == 302 and response["Location"] == reverse("conversations:conversation-list")
    kept = team_admin_client.post(reverse("testing:conversations-to-suite"), {"selected": ["conv-1"], "next": "/conversations/?q=refund"})
    assert kept["Location"] == "/conversations/?q=refund"
