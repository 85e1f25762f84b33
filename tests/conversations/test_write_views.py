"""Writing conversations from the portal: create, add a message, edit the whole metadata
(Telnyx mocked with `responses`)."""

from __future__ import annotations

import pytest
import responses
from django.urls import reverse
from responses import matchers

from conversations import services
from conversations.models import Conversation
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

ADD = reverse("conversations:conversation-add")


def conv(metadata: dict | None = None, name: str = "Support call") -> dict:
    return {"id": "conv-1", "name": name, "created_at": "2026-11-20T10:00:00Z", "last_message_at": "2026-11-20T10:05:00Z",
            "metadata": metadata if metadata is not None else {"assistant_id": "assistant-1", "topic": "billing"}}


def rows(pairs: list[tuple[str, str]], blank: int = 1) -> dict:
    data = {"meta-TOTAL_FORMS": str(len(pairs) + blank), "meta-INITIAL_FORMS": "0",
            "meta-MIN_NUM_FORMS": "0", "meta-MAX_NUM_FORMS": "100"}
    for i, (k, v) in enumerate(pairs + [("", "")] * blank):
        data[f"meta-{i}-key"], data[f"meta-{i}-value"] = k, v
    return data


def detail_mocks(base: str, metadata: dict | None = None) -> None:
    responses.get(f"{base}/ai/conversations/conv-1", json={"data": conv(metadata)})
    responses.get(f"{base}/ai/conversations/conv-1/messages", json={"data": [], "meta": {"page_number": 1, "total_pages": 1}})
    responses.get(f"{base}/ai/conversations/conv-1/conversations-insights",
                  json={"data": [], "meta": {"page_number": 1, "page_size": 20, "total_pages": 1, "total_results": 0}})


# Create

def test_list_offers_add_to_operators_not_viewers(viewer_client, operator_client):
    assert b"Add conversation" not in viewer_client.get(reverse("conversations:conversation-list")).content
    assert b"Add conversation" in operator_client.get(reverse("conversations:conversation-list")).content
    assert viewer_client.post(ADD, {"name": "x", **rows([])}).status_code == 403


@responses.activate
def test_operator_creates_a_conversation_with_name_and_metadata(operator_client, telnyx_base):
    responses.post(f"{telnyx_base}/ai/conversations", json=conv({"topic": "billing"}),
                   match=[matchers.json_params_matcher({"name": "Support call", "metadata": {"topic": "billing"}})])
    response = operator_client.post(ADD, {"name": "Support call", "idempotency_key": "key-1", **rows([("topic", "billing")])})
    assert response.status_code == 302 and response["Location"] == reverse("conversations:conversation-detail", args=["conv-1"])
    assert responses.calls[0].request.headers["Idempotency-Key"] == "key-1"
    assert Conversation.objects.get(telnyx_id="conv-1").name == "Support call"
    event = AuditEvent.objects.get()
    assert event.action == "create" and event.resource_id == "conv-1" and event.outcome == "success"


def test_bad_rows_keep_what_was_typed_and_send_nothing(operator_client):
    response = operator_client.post(ADD, {"name": "Kept name", "idempotency_key": "key-1",
                                          **rows([("topic", "a"), ("topic", "b"), ("", "orphan")])})
    content = response.content.decode()
    assert response.status_code == 200
    assert "is already set above" in content and "Give this value a key" in content
    assert 'value="Kept name"' in content and 'value="orphan"' in content and 'value="key-1"' in content


@responses.activate
def test_telnyx_refusal_shows_its_message_on_the_row_and_a_new_key(operator_client, telnyx_base):
    responses.post(f"{telnyx_base}/ai/conversations", status=422, json={"errors": [
        {"code": "10015", "title": "Invalid value", "detail": "Metadata values must be strings.", "source": {"pointer": "/metadata/topic"}}]})
    content = operator_client.post(ADD, {"name": "Call", "idempotency_key": "key-1", **rows([("topic", "x")])}).content.decode()
    assert "Metadata values must be strings." in content and 'value="Call"' in content
    assert 'value="key-1"' not in content  # refused: a corrected resubmission is a new request
    assert AuditEvent.objects.get().outcome == "failure" and not Conversation.objects.exists()


@responses.activate
def test_a_timeout_keeps_the_key_so_a_resubmit_is_not_a_twin(operator_client, telnyx_base):
    responses.post(f"{telnyx_base}/ai/conversations", status=503)
    content = operator_client.post(ADD, {"name": "Call", "idempotency_key": "key-1", **rows([])}).content.decode()
    assert 'value="key-1"' in content and "Call" in content
    keys = {c.request.headers["Idempotency-Key"] for c in responses.calls}
    assert keys == {"key-1"}


# Add a message

@responses.activate
def test_operator_adds_a_message_from_the_conversation_page(operator_client, telnyx_base):
    detail_mocks(telnyx_base)
    page = operator_client.get(reverse("conversations:conversation-detail", args=["conv-1"])).content.decode()
    assert "Add a message" in page
    responses.post(f"{telnyx_base}/ai/conversations/conv-1/message", status=200, body="",
                   match=[matchers.json_params_matcher({"role": "user", "content": "Is my bill ready?"}),
                          matchers.header_matcher({"Idempotency-Key": "msg-1"})])
    response = operator_client.post(reverse("conversations:conversation-message", args=["conv-1"]),
                                    {"role": "user", "content": "Is my bill ready?", "idempotency_key": "msg-1"})
    assert response.status_code == 302
    assert AuditEvent.objects.get().summary == "Added a user message"


@responses.activate
def test_an_empty_message_keeps_the_role_chosen(operator_client, telnyx_base):
    detail_mocks(telnyx_base)
    response = operator_client.post(reverse("conversations:conversation-message", args=["conv-1"]),
                                    {"role": "tool", "content": "", "idempotency_key": "msg-1"})
    content = response.content.decode()
    assert response.status_code == 200 and "This field is required" in content
    assert '<option value="tool" selected>' in content
    assert not [c for c in responses.calls if c.request.method == "POST"]


@responses.activate
def test_a_telnyx_error_on_a_message_says_so_and_keeps_the_text(operator_client, telnyx_base):
    detail_mocks(telnyx_base)
    responses.post(f"{telnyx_base}/ai/conversations/conv-1/message", status=404, json={"errors": [
        {"code": "10005", "title": "Resource not found", "detail": "Conversation not found"}]})
    content = operator_client.post(reverse("conversations:conversation-message", args=["conv-1"]),
                                   {"role": "user", "content": "Hello there", "idempotency_key": "msg-1"}).content.decode()
    assert "Hello there</textarea>" in content and "not found" in content.lower()


def test_viewer_sees_no_message_form_and_cannot_post(viewer_client):
    response = viewer_client.post(reverse("conversations:conversation-message", args=["conv-1"]), {"role": "user", "content": "x"})
    assert response.status_code == 403


# Metadata

@responses.activate
def test_admin_edits_every_metadata_key(team_admin_client, telnyx_base):
    responses.get(f"{telnyx_base}/ai/conversations/conv-1", json={"data": conv()})
    page = team_admin_client.get(reverse("conversations:conversation-change", args=["conv-1"])).content.decode()
    assert 'value="topic"' in page and 'value="billing"' in page and 'value="assistant_id"' in page
    loaded = page.split('name="loaded_from" value="')[1].split('"')[0]
    new = {"assistant_id": "assistant-1", "topic": "refund", "priority": "high"}
    responses.put(f"{telnyx_base}/ai/conversations/conv-1", json={"data": conv(new)},
                  match=[matchers.json_params_matcher({"metadata": new})])
    response = team_admin_client.post(reverse("conversations:conversation-change", args=["conv-1"]), {
        "loaded_from": loaded, **rows([("assistant_id", "assistant-1"), ("topic", "refund"), ("priority", "high")])})
    assert response.status_code == 302
    event = AuditEvent.objects.get(outcome="success")
    assert event.changes == {"priority": {"before": None, "after": "high"}, "topic": {"before": "billing", "after": "refund"}}
    assert Conversation.objects.get(telnyx_id="conv-1").payload["metadata"] == new


@responses.activate
def test_a_key_someone_else_changed_meanwhile_is_not_overwritten(team_admin_client, telnyx_base):
    responses.get(f"{telnyx_base}/ai/conversations/conv-1", json={"data": conv()})
    page = team_admin_client.get(reverse("conversations:conversation-change", args=["conv-1"])).content.decode()
    loaded = page.split('name="loaded_from" value="')[1].split('"')[0]
    responses.replace(responses.GET, f"{telnyx_base}/ai/conversations/conv-1",
                      json={"data": conv({"assistant_id": "assistant-1", "topic": "sales"})})
    content = team_admin_client.post(reverse("conversations:conversation-change", args=["conv-1"]), {
        "loaded_from": loaded, **rows([("assistant_id", "assistant-1"), ("topic", "refund")])}).content.decode()
    assert "Someone else changed topic" in content and "sales" in content and 'value="refund"' in content
    assert not [c for c in responses.calls if c.request.method == "PUT"]


@responses.activate
def test_a_removed_key_that_telnyx_keeps_is_said(team_admin_client, telnyx_base):
    responses.get(f"{telnyx_base}/ai/conversations/conv-1", json={"data": conv()})
    responses.put(f"{telnyx_base}/ai/conversations/conv-1", json={"data": conv()})
    response = team_admin_client.post(reverse("conversations:conversation-change", args=["conv-1"]),
                                      rows([("assistant_id", "assistant-1")]), follow=True)
    assert "Telnyx kept topic" in response.content.decode()


@responses.activate
def test_metadata_editor_is_read_only_when_telnyx_fails(team_admin_client, telnyx_base):
    services.conversation_cache_put(conv())
    responses.get(f"{telnyx_base}/ai/conversations/conv-1", status=503)
    content = team_admin_client.get(reverse("conversations:conversation-change", args=["conv-1"])).content.decode()
    assert "cannot be edited now" in content and "<fieldset disabled>" in content
    response = team_admin_client.post(reverse("conversations:conversation-change", args=["conv-1"]), rows([("a", "b")]))
    assert response.status_code == 200 and not [c for c in responses.calls if c.request.method == "PUT"]


def test_operator_cannot_edit_metadata(operator_client):
    assert operator_client.get(reverse("conversations:conversation-change", args=["conv-1"])).status_code == 403


def test_history_and_delete_pages_name_an_untitled_conversation_by_its_start(team_admin_client):
    services.conversation_cache_put(conv(name=""))
    for name in ("conversations:conversation-history", "conversations:conversation-delete"):
        content = team_admin_client.get(reverse(name, args=["conv-1"])).content.decode()
        assert "Untitled conversation from 20 Nov 2026" in content
        title = content[content.index("<title>"):content.index("</title>")]
        assert "conv-1" not in title


@responses.activate
def test_detail_names_the_version_that_answered(viewer_client, telnyx_base):
    from django.utils import timezone

    from assistants.models import AssistantVersion

    AssistantVersion.objects.create(telnyx_id="assistant-1:ver-9", assistant_id="assistant-1", version_id="ver-9",
                                    name="Spring release", is_main=True, synced_at=timezone.now())
    detail_mocks(telnyx_base, {"assistant_id": "assistant-1", "assistant_version_id": "ver-9"})
    content = viewer_client.get(reverse("conversations:conversation-detail", args=["conv-1"])).content.decode()
    assert '<span title="ver-9">Spring release (main)</span>' in content
