"""Conversations, messages, insights, chat, SMS chat, TeXML and tool test through the SDK."""

import uuid

import pytest
import telnyx

pytestmark = pytest.mark.contract


def test_conversation_lifecycle(sdk):
    created = sdk.ai.conversations.create(metadata={"channel": "web_chat"}, name="Contract")
    assert created.metadata == {"channel": "web_chat"}
    assert sdk.ai.conversations.retrieve(created.id).data.name == "Contract"
    updated = sdk.ai.conversations.update(created.id, metadata={"topic": "billing"})
    assert updated.data.metadata["topic"] == "billing"
    assert sdk.ai.conversations.add_message(created.id, role="user", content="Hi",
                                            sent_at="2026-01-01T10:00:00Z", metadata={"k": "v"}) is None
    sdk.ai.conversations.add_message(created.id, role="assistant", content="",
                                     tool_calls=[{"id": "call_1", "type": "function",
                                                  "function": {"name": "lookup", "arguments": "{}"}}])
    messages = sdk.ai.conversations.messages.list(created.id, page_size=1)
    assert [m.text for m in messages] == ["Hi", ""]  # iterates both pages
    assert messages.data[0].role == "user"
    insights = sdk.ai.conversations.retrieve_conversations_insights(created.id)
    assert insights.data[0].status == "completed"
    listed = sdk.ai.conversations.list(metadata_assistant_id="eq.none", limit=5)
    assert listed.data == []
    assert created.id in [c.id for c in sdk.ai.conversations.list(order="created_at.desc").data]
    assert sdk.ai.conversations.delete(created.id) is None
    with pytest.raises(telnyx.NotFoundError):
        sdk.ai.conversations.retrieve(created.id)


def test_chat_sms_texml_and_tool_test(sdk):
    assistant = sdk.ai.assistants.create(
        name="Chatty", instructions="You are a travel agent.",
        tools=[{"type": "webhook", "webhook": {"name": "book", "description": "Book", "url": "https://ex.com/book"}}])
    conversation_id = str(uuid.uuid4())
    reply = sdk.ai.assistants.chat(assistant.id, content="Flights to Rome?", conversation_id=conversation_id)
    assert "travel agent" in reply.content
    pinned = sdk.ai.conversations.list(metadata_assistant_version_id=f"eq.{assistant.version_id}").data
    assert [c.id for c in pinned] == [conversation_id]
    sms = sdk.ai.assistants.send_sms(assistant.id, from_="+15550001111", to="+15550002222", text="Hello")
    assert sms.conversation_id
    texml = sdk.ai.assistants.get_texml(assistant.id)
    assert assistant.id in texml
    result = sdk.ai.assistants.tools.test("book", assistant_id=assistant.id, arguments={"city": "Rome"})
    assert result.data.success is True and result.data.status_code == 200
