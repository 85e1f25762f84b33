"""Chat playground and SMS chat, with Telnyx mocked by `responses`."""

from __future__ import annotations

import json
import re

import pytest
import responses
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from assistants.services import chat as services
from assistants.services.assistants import assistant_cache_put
from portal.models import AuditEvent
from portal.telnyx import InternalServerError

pytestmark = pytest.mark.django_db

AID = "assistant-00000001-0000-4000-8000-000000000000"


@pytest.fixture
def api(telnyx_base, assistant_json):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.base = telnyx_base
        mock.get(f"{telnyx_base}/ai/assistants/{AID}", json=assistant_json(1, version_id="v-main"))
        mock.get(f"{telnyx_base}/ai/assistants/{AID}/versions", json={"data": [
            {"version_id": "v-exp", "version_name": "empathy experiment"},
            {"version_id": "v-main", "version_name": "revision 2"}]})
        mock.post(f"{telnyx_base}/ai/conversations", json={"id": "conv-1", "metadata": {"assistant_id": AID}})
        mock.post(f"{telnyx_base}/ai/assistants/{AID}/chat", json={"content": "Happy to help."})
        assistant_cache_put(assistant_json(1, version_id="v-main"))  # the chat page cached it
        yield mock


def served_by(api, version_id):
    api.get(f"{api.base}/ai/conversations/conv-1",
            json={"data": {"id": "conv-1", "metadata": {"assistant_id": AID, "assistant_version_id": version_id}}})


def bodies(api, path):
    return [json.loads(c.request.body) for c in api.calls if c.request.method == "POST" and c.request.url.endswith(path)]


def test_first_turn_creates_a_conversation_for_the_assistant_then_chats(api, operator):
    served_by(api, "v-exp")
    turn = services.chat_send(user=operator, assistant_id=AID, content="Hello")
    assert bodies(api, "/ai/conversations")[0]["metadata"] == {"assistant_id": AID}
    assert bodies(api, "/chat") == [{"content": "Hello", "conversation_id": "conv-1"}]
    assert (turn.conversation_id, turn.reply, turn.version_id) == ("conv-1", "Happy to help.", "v-exp")


def test_later_turns_reuse_the_conversation(api, operator):
    served_by(api, "v-main")
    services.chat_send(user=operator, assistant_id=AID, content="Again", conversation_id="conv-1")
    assert bodies(api, "/ai/conversations") == []
    assert bodies(api, "/chat") == [{"content": "Again", "conversation_id": "conv-1"}]


def test_viewers_cannot_chat(viewer):
    with pytest.raises(PermissionDenied):
        services.chat_send(user=viewer, assistant_id=AID, content="Hi")


def test_htmx_turn_appends_the_exchange_labelled_with_the_version(api, operator_client):
    served_by(api, "v-exp")
    response = operator_client.post(reverse("assistants:chat-send", args=[AID]), {"content": "Hello"},
                                    headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "<html" not in content and "Happy to help." in content
    assert 'data-testid="version-label">empathy experiment</span>' in content
    # The kept conversation id is swapped into the form for the next turn.
    assert 'id="conversation-id" value="conv-1" hx-swap-oob="true"' in content


def test_reply_from_main_names_the_main_version(api, operator_client):
    served_by(api, "v-main")
    content = operator_client.post(reverse("assistants:chat-send", args=[AID]), {"content": "Hi"},
                                   headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="version-label">main · revision 2</span>' in content


def test_chat_failure_shows_a_clear_message(api, operator_client):
    api.replace(responses.POST, f"{api.base}/ai/assistants/{AID}/chat", status=503)
    content = operator_client.post(reverse("assistants:chat-send", args=[AID]), {"content": "Hi"},
                                   headers={"HX-Request": "true"}).content.decode()
    assert "Telnyx did not answer: Telnyx had a server error (503)" in content


def test_playground_page_is_for_operators_and_up(api, viewer_client, operator_client):
    assert viewer_client.get(reverse("assistants:chat", args=[AID])).status_code == 403
    page = operator_client.get(reverse("assistants:chat", args=[AID])).content.decode()
    assert "Chat playground" in page and "New conversation" in page and "SMS chat" in page


def test_sms_chat_is_sent_and_audited(api, operator_client):
    api.post(f"{api.base}/ai/assistants/{AID}/chat/sms", json={"conversation_id": "conv-sms"},
             headers={"x-request-id": "req-sms"})
    response = operator_client.post(reverse("assistants:chat-sms", args=[AID]),
                                    {"from": "+15550001111", "to": "+15552223333", "text": "Hi there",
                                     "idempotency_key": "portal-sms-1"}, headers={"HX-Request": "true"})
    assert "SMS chat started: conversation" in response.content.decode() and "conv-sms" in response.content.decode()
    call = next(c for c in api.calls if c.request.url.endswith("/chat/sms"))
    assert json.loads(call.request.body) == {"from": "+15550001111", "to": "+15552223333", "text": "Hi there"}
    assert call.request.headers["Idempotency-Key"] == "portal-sms-1"
    event = AuditEvent.objects.get()
    assert (event.action, event.outcome, event.telnyx_request_id) == ("sms_chat", "success", "req-sms")


def test_sms_chat_failure_keeps_the_form_and_is_audited(api, operator_client):
    api.post(f"{api.base}/ai/assistants/{AID}/chat/sms", status=422,
             json={"errors": [{"title": "Invalid", "detail": "Not a number you own", "source": {"pointer": "/from"}}]})
    content = operator_client.post(reverse("assistants:chat-sms", args=[AID]),
                                   {"from": "+15559990000", "to": "+15552223333"}, headers={"HX-Request": "true"}).content.decode()
    assert "Not a number you own" in content and 'value="+15559990000"' in content
    assert AuditEvent.objects.get().outcome == "failure"


def test_sms_chat_failure_in_service_is_audited(api, operator):
    api.post(f"{api.base}/ai/assistants/{AID}/chat/sms", status=500)
    with pytest.raises(InternalServerError):
        services.sms_chat_send(user=operator, assistant_id=AID, from_="+1", to="+2")
    assert AuditEvent.objects.get().summary.startswith("Tried to start an SMS chat")


def test_each_turn_sent_is_audited_with_who_the_assistant_and_what_telnyx_answered(api, operator):
    served_by(api, "v-exp")
    services.chat_send(user=operator, assistant_id=AID, content="My card number is 4111 1111")
    event = AuditEvent.objects.get(action="chat")
    assert (event.username, event.resource_id, event.outcome, event.telnyx_status) == (
        operator.username, AID, AuditEvent.Outcome.SUCCESS, 200)
    assert event.changes == {"conversation_id": "conv-1", "sent_characters": 27}
    assert "answered with 14 characters" in event.summary and "version v-exp" in event.summary
    # Sizes, not texts: what users type stays out of the audit log.
    assert "4111" not in event.summary + json.dumps(event.changes) and "Happy" not in event.summary


def test_a_refused_turn_is_audited_as_a_failure(api, operator):
    api.replace(responses.POST, f"{api.base}/ai/assistants/{AID}/chat", status=500, json={"errors": [{"title": "down"}]})
    with pytest.raises(InternalServerError):
        services.chat_send(user=operator, assistant_id=AID, content="Hello", conversation_id="conv-1")
    event = AuditEvent.objects.get(action="chat")
    assert event.outcome == AuditEvent.Outcome.FAILURE and event.telnyx_status == 500


def test_a_20000_character_paste_is_refused_whole_with_the_limit_named(api, operator_client):
    box = operator_client.get(reverse("assistants:chat", args=[AID])).content.decode()
    textarea = re.search(r'<textarea[^>]*name="content"[^>]*>', box).group(0)
    assert 'data-limit="4000"' in textarea and "maxlength" not in textarea
    long = "y" * 20_000
    content = operator_client.post(reverse("assistants:chat-send", args=[AID]), {"content": long},
                                   headers={"HX-Request": "true"}).content.decode()
    assert "at most 4000 characters (it has 20000)" in content
    assert not [c for c in api.calls if c.request.method == "POST"]


@pytest.mark.parametrize("name", ["assistants:chat-send", "assistants:chat-stream", "assistants:chat-sms"])
def test_a_message_to_an_assistant_the_portal_never_saw_is_404_without_calling_telnyx(api, operator_client, name):
    unknown = "assistant-99999999-0000-4000-8000-000000000000"
    calls = len(api.calls)
    response = operator_client.post(reverse(name, args=[unknown]), {"content": "Hi", "from": "+15550001", "to": "+15550002"})
    assert response.status_code == 404
    assert len(api.calls) == calls
