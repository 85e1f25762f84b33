"""Conversations over real HTTP against the sandbox: chats made there appear here."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conversations import services
from conversations.models import Conversation
from portal.models import SyncState
from portal.telnyx import get_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_chats_in_the_sandbox_sync_in_steps_and_read_as_a_transcript(viewer_client, sandbox, monkeypatch):
    client = get_client()
    assistant = client.post("ai/assistants", json={"name": "Sync bot", "instructions": "Be brief."}).data
    for n in range(5):
        conversation = client.post("ai/conversations", json={"name": f"Chat {n}", "metadata": {"assistant_id": assistant["id"]}}).data
        client.post(f"ai/assistants/{assistant['id']}/chat", json={"content": f"Question {n}?", "conversation_id": conversation["id"]})
    monkeypatch.setattr(services, "BATCH_SIZE", 2)

    # One Refresh: the sync task (inline in tests) walks every batch of 2.
    response = viewer_client.post(reverse("conversations:conversation-sync"), headers={"HX-Request": "true"})
    assert "HX-Trigger" in response and Conversation.objects.count() >= 5
    assert SyncState.objects.get(resource="conversations").item_count == Conversation.objects.count()

    row = Conversation.objects.get(name="Chat 3")
    assert row.assistant_version_id  # the sandbox records which version answered
    page = viewer_client.get(reverse("conversations:conversation-detail", args=[row.telnyx_id])).content.decode()
    assert "Question 3?" in page and "bubble-assistant" in page


def test_a_resubmitted_message_or_create_form_is_not_a_twin(operator_client, sandbox):
    """The same form posted twice (a double click, a retry after a timeout) carries the same
    Idempotency-Key: the sandbox, like Telnyx, answers the second with the first's result."""
    form = {"name": "Twice", "idempotency_key": "create-once", "meta-TOTAL_FORMS": "1", "meta-INITIAL_FORMS": "0",
            "meta-0-key": "topic", "meta-0-value": "billing"}
    first = operator_client.post(reverse("conversations:conversation-add"), form)
    second = operator_client.post(reverse("conversations:conversation-add"), form)
    assert first["Location"] == second["Location"]
    client = get_client()
    assert [c["name"] for c in client.get("ai/conversations", params={"name": "eq.Twice"}).data["data"]] == ["Twice"]
    conversation_id = first["Location"].rstrip("/").split("/")[-1]
    message = {"role": "user", "content": "Only once, please", "idempotency_key": "message-once"}
    for _ in range(2):
        operator_client.post(reverse("conversations:conversation-message", args=[conversation_id]), message)
    texts = [m["text"] for m in client.get(f"ai/conversations/{conversation_id}/messages").data["data"]]
    assert texts == ["Only once, please"]
