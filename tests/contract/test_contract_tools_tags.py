"""Shared tools, attaching them to assistants, and assistant tags through the official SDK
(strict validation): every endpoint the portal's Tools section and tag editor use."""

import pytest
import telnyx

pytestmark = pytest.mark.contract

WEBHOOK = {"name": "order_status", "description": "Look up an order", "url": "https://example.com/orders"}


def test_shared_tool_library_round_trip(sdk):
    made = sdk.ai.tools.create(display_name="Order status", type="webhook", webhook=WEBHOOK, timeout_ms=4000)
    assert made.type == "webhook" and made.tool_definition["url"] == WEBHOOK["url"] and made.timeout_ms == 4000
    other = sdk.ai.tools.create(display_name="Hand to sales", type="handoff",
                                handoff={"ai_assistants": [{"id": "assistant-x", "name": "Sales"}]})
    assert sdk.ai.tools.retrieve(made.id).display_name == "Order status"
    page = sdk.ai.tools.list(page_size=1)
    assert len(page.data) == 1 and {t.id for t in page} == {made.id, other.id}  # iterates every page
    assert [t.id for t in sdk.ai.tools.list(filter_type="handoff").data] == [other.id]
    assert [t.id for t in sdk.ai.tools.list(filter_name="order").data] == [made.id]
    changed = sdk.ai.tools.update(made.id, display_name="Order lookup", webhook={**WEBHOOK, "url": "https://example.com/v2"})
    assert changed.display_name == "Order lookup" and changed.tool_definition["url"] == "https://example.com/v2"
    with pytest.raises(telnyx.UnprocessableEntityError):
        sdk.ai.tools.create(display_name="No url", type="webhook", webhook={"name": "x"})
    with pytest.raises(telnyx.UnprocessableEntityError):
        sdk.ai.tools.create(display_name="Odd", type="teleport")
    sdk.ai.tools.delete(other.id)
    with pytest.raises(telnyx.NotFoundError):
        sdk.ai.tools.retrieve(other.id)


def test_attach_detach_and_tags(sdk):
    assistant = sdk.ai.assistants.create(name="Tooled", instructions="Hi.", model="openai/gpt-4o", tags=["support"],
                                         tools=[{"type": "hangup", "hangup": {}}])
    webhook = sdk.ai.tools.create(display_name="Order status", type="webhook", webhook=WEBHOOK)
    sdk.ai.assistants.tools.add(webhook.id, assistant_id=assistant.id)
    tools = sdk.ai.assistants.retrieve(assistant.id).tools
    assert [t.type for t in tools] == ["hangup", "webhook"]
    assert sdk.ai.assistants.retrieve(assistant.id).tool_ids == [webhook.id]
    # The test endpoint finds a shared tool by its id.
    assert sdk.ai.assistants.tools.test(webhook.id, assistant_id=assistant.id).data.success is True
    sdk.ai.assistants.tools.remove(webhook.id, assistant_id=assistant.id)
    assert [t.type for t in sdk.ai.assistants.retrieve(assistant.id).tools] == ["hangup"]

    assert sdk.ai.assistants.tags.add(assistant.id, tag="billing").tags == ["support", "billing"]
    assert set(sdk.ai.assistants.tags.list().tags) >= {"support", "billing"}
    assert sdk.ai.assistants.tags.remove("support", assistant_id=assistant.id).tags == ["billing"]
    with pytest.raises(telnyx.NotFoundError):
        sdk.ai.assistants.tags.remove("support", assistant_id=assistant.id)


def test_a_second_single_instance_tool_is_refused(sdk):
    assistant = sdk.ai.assistants.create(name="One hangup", instructions="Hi.", model="openai/gpt-4o",
                                         tools=[{"type": "handoff", "handoff": {"ai_assistants": [{"id": "a", "name": "A"}]}}])
    shared = sdk.ai.tools.create(display_name="Handoff", type="handoff", handoff={"ai_assistants": [{"id": "b", "name": "B"}]})
    with pytest.raises(telnyx.BadRequestError) as excinfo:
        sdk.ai.assistants.tools.add(shared.id, assistant_id=assistant.id)
    assert "10015" in str(excinfo.value)


def test_instructions_enhance_streams_text(sdk):
    assistant = sdk.ai.assistants.create(name="Enhanced", instructions="You help with orders. Be brief.", model="openai/gpt-4o",
                                         tools=[{"type": "webhook", "webhook": WEBHOOK}])
    text = sdk.ai.assistants.instructions.enhance(assistant.id, enhancement_prompt="Mention refunds.")
    assert isinstance(text, str)
    assert text.startswith("## Role\nYou help with orders.") and "`order_status` (webhook)" in text
    assert text.rstrip().endswith("Mention refunds.")
    assert "1. Be brief." in sdk.ai.assistants.instructions.enhance(assistant.id, instructions="X. Be brief.")


def test_insight_aggregates_per_version(sdk):
    assistant = sdk.ai.assistants.create(name="Measured", instructions="Be brief.", model="openai/gpt-4o")
    for n in range(3):
        sdk.ai.assistants.chat(assistant.id, content=f"Question {n}", conversation_id=f"conv-agg-{n}")
    answer = sdk.ai.conversations.conversation_insights.retrieve_aggregates(
        group_by=["metadata.assistant_version_id", "insight_id"], metadata={"assistant_id": f"eq.{assistant.id}"})
    rows = [row.to_dict() for row in answer.data]
    assert {row["metadata.assistant_version_id"] for row in rows} == {assistant.version_id}
    assert sum(row["record_count"] for row in rows) == 6  # summary and quality for each of three
    scored = sdk.ai.conversations.conversation_insights.retrieve_aggregates(
        group_by=["score"], insight_id="8d2b6a51-3c1e-4f7a-9b0d-6e4f2a9c7d13", metadata={"assistant_id": f"eq.{assistant.id}"})
    assert sum(row.record_count for row in scored.data) == 3
    with pytest.raises(telnyx.BadRequestError):
        sdk.ai.conversations.conversation_insights.retrieve_aggregates(group_by=["password"])
