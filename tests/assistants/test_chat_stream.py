"""The chat playground's streamed replies, with Telnyx mocked by `responses`: the portal relays
Telnyx's server-sent events as they arrive and falls back to a whole reply."""

from __future__ import annotations

import json
import logging

import pytest
import responses
from django.urls import reverse

from assistants.services.assistants import assistant_cache_put
from portal.telnyx import APIStreamError, BadRequestError
from portal.telnyx.resources import chat as chat_api

pytestmark = pytest.mark.django_db

AID = "assistant-00000001-0000-4000-8000-000000000000"
SSE = (
    'event: delta\ndata: {"content": "Happy"}\n\n'
    ": keep-alive\n\n"
    'event: delta\ndata: {"content": " to help."}\n\n'
    'event: done\ndata: {"content": "Happy to help.", "whatsapp_template": null}\n\n'
)


@pytest.fixture
def api(telnyx_base, assistant_json):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.base = telnyx_base
        mock.get(f"{telnyx_base}/ai/assistants/{AID}", json=assistant_json(1, version_id="v-main"))
        mock.get(f"{telnyx_base}/ai/assistants/{AID}/versions", json={"data": [
            {"version_id": "v-exp", "version_name": "empathy experiment"},
            {"version_id": "v-main", "version_name": "revision 2"}]})
        mock.post(f"{telnyx_base}/ai/conversations", json={"id": "conv-1", "metadata": {"assistant_id": AID}})
        mock.get(f"{telnyx_base}/ai/conversations/conv-1",
                 json={"data": {"id": "conv-1", "metadata": {"assistant_id": AID, "assistant_version_id": "v-exp"}}})
        assistant_cache_put(assistant_json(1, version_id="v-main"))  # the chat page cached it
        yield mock


def chat_answers(api, body: str, content_type: str = "text/event-stream", status: int = 200):
    api.post(f"{api.base}/ai/assistants/{AID}/chat", body=body, content_type=content_type, status=status)


def events_of(response) -> list[tuple[str, dict]]:
    text = b"".join(response.streaming_content).decode()
    found = []
    for block in filter(None, text.split("\n\n")):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        found.append((lines["event"], json.loads(lines["data"])))
    return found


def test_the_resource_yields_each_fragment_then_the_whole_reply(api, caplog):
    chat_answers(api, SSE)
    with caplog.at_level(logging.INFO, logger="portal.telnyx"):
        got = list(chat_api.stream(AID, content="Hello", conversation_id="conv-1"))
    assert got == [("delta", "Happy"), ("delta", " to help."), ("done", "Happy to help.")]
    assert json.loads(api.calls[-1].request.body)["stream"] is True
    lines = [r.getMessage() for r in caplog.records if "/chat" in r.getMessage()]
    assert len(lines) == 1 and "status=200" in lines[0] and "stream events=3" in lines[0]


def test_a_server_that_answers_json_gives_the_whole_reply(api):
    chat_answers(api, json.dumps({"data": {"content": "Whole reply."}}), content_type="application/json")
    assert list(chat_api.stream(AID, content="Hello", conversation_id="conv-1")) == [("done", "Whole reply.")]


def test_an_error_before_the_stream_is_the_usual_typed_error(api):
    chat_answers(api, json.dumps({"errors": [{"title": "AI is disabled for this conversation"}]}),
                 content_type="application/json", status=400)
    with pytest.raises(BadRequestError):
        list(chat_api.stream(AID, content="Hello", conversation_id="conv-1"))


def test_an_error_event_mid_stream_raises_with_what_telnyx_said(api):
    chat_answers(api, 'event: delta\ndata: {"content": "Hap"}\n\nevent: error\ndata: {"detail": "model overloaded"}\n\n')
    events = chat_api.stream(AID, content="Hello", conversation_id="conv-1")
    assert next(events) == ("delta", "Hap")
    with pytest.raises(APIStreamError) as caught:
        next(events)
    assert "model overloaded" in caught.value.user_message


def test_the_page_relays_conversation_version_fragments_and_reply(api, operator_client):
    chat_answers(api, SSE)
    response = operator_client.post(reverse("assistants:chat-stream", args=[AID]), {"content": "Hello"})
    assert response["Content-Type"] == "text/event-stream"
    assert events_of(response) == [
        ("conversation", {"text": "conv-1"}),
        ("version", {"text": "empathy experiment"}),
        ("delta", {"text": "Happy"}),
        ("delta", {"text": " to help."}),
        ("done", {"text": "Happy to help."}),
    ]


def test_a_failure_mid_stream_ends_with_an_error_event(api, operator_client):
    chat_answers(api, 'event: delta\ndata: {"content": "Hap"}\n\nevent: error\ndata: {"detail": "model overloaded"}\n\n')
    response = operator_client.post(reverse("assistants:chat-stream", args=[AID]),
                                    {"content": "Hello", "conversation_id": "conv-1"})
    kind, data = events_of(response)[-1]
    assert kind == "error" and "model overloaded" in data["text"]


def test_a_telnyx_error_before_the_reply_answers_the_whole_reply_fragment(api, operator_client):
    chat_answers(api, json.dumps({"errors": [{"title": "AI is disabled for this conversation"}]}),
                 content_type="application/json", status=400)
    response = operator_client.post(reverse("assistants:chat-stream", args=[AID]),
                                    {"content": "Hello", "conversation_id": "conv-1"})
    assert response["Content-Type"].startswith("text/html")
    assert "AI is disabled for this conversation" in response.content.decode()


def test_an_empty_message_keeps_the_form_error(api, operator_client):
    response = operator_client.post(reverse("assistants:chat-stream", args=[AID]), {"content": ""})
    assert "This field is required." in response.content.decode()


def test_viewers_cannot_stream_a_chat(api, viewer_client):
    assert viewer_client.post(reverse("assistants:chat-stream", args=[AID]), {"content": "Hi"}).status_code == 403


def test_a_streamed_turn_is_audited_once_its_reply_is_whole(api, operator_client):
    from portal.models import AuditEvent

    chat_answers(api, SSE)
    response = operator_client.post(reverse("assistants:chat-stream", args=[AID]), {"content": "Hello"})
    assert not AuditEvent.objects.filter(action="chat").exists()  # nothing yet: the reply has not been read
    events_of(response)
    event = AuditEvent.objects.get(action="chat")
    assert event.outcome == AuditEvent.Outcome.SUCCESS and event.resource_id == AID
    assert event.changes["reply_characters"] == len("Happy to help.") and event.changes["version_id"] == "v-exp"


def test_a_stream_stopped_by_an_error_is_audited_as_a_failure(api, operator_client):
    from portal.models import AuditEvent

    chat_answers(api, 'event: delta\ndata: {"content": "Hap"}\n\nevent: error\ndata: {"detail": "model overloaded"}\n\n')
    response = operator_client.post(reverse("assistants:chat-stream", args=[AID]),
                                    {"content": "Hello", "conversation_id": "conv-1"})
    events_of(response)
    event = AuditEvent.objects.get(action="chat")
    assert event.outcome == AuditEvent.Outcome.FAILURE and "model overloaded" in event.error_message
