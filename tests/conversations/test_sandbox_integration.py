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
