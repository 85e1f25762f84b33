"""Scheduled events, assistant tests and runs, integrations and MCP servers through the SDK."""

from datetime import datetime, timedelta, timezone

import pytest
import telnyx
from django.utils import timezone as dj_timezone

from sandbox.behaviour.integration_catalogue import INTEGRATIONS
from sandbox.models import SbConnection

pytestmark = pytest.mark.contract


def test_scheduled_events(sdk):
    assistant = sdk.ai.assistants.create(name="Scheduler", instructions="Call people.")
    when = datetime.now(timezone.utc) + timedelta(hours=2)
    call = sdk.ai.assistants.scheduled_events.create(
        assistant.id, scheduled_at_fixed_datetime=when, telnyx_agent_target="+15550001111",
        telnyx_end_user_target="+15550002222", telnyx_conversation_channel="phone_call",
        call_settings={"sip_region": "Europe"}, conversation_metadata={"lead": 7})
    assert call.status == "pending" and call.call_settings.sip_region == "Europe"
    sms = sdk.ai.assistants.scheduled_events.create(
        assistant.id, scheduled_at_fixed_datetime=when - timedelta(hours=3), telnyx_agent_target="+15550001111",
        telnyx_end_user_target="+15550002222", telnyx_conversation_channel="sms_chat", text="Reminder")
    assert sms.text == "Reminder" and sms.status == "completed"
    got = sdk.ai.assistants.scheduled_events.retrieve(call.scheduled_event_id, assistant_id=assistant.id)
    assert got.telnyx_conversation_channel == "phone_call"
    page = sdk.ai.assistants.scheduled_events.list(assistant.id, page_size=1)
    assert sorted(e.telnyx_conversation_channel for e in page) == ["phone_call", "sms_chat"]
    only_sms = sdk.ai.assistants.scheduled_events.list(assistant.id, conversation_channel="sms_chat")
    assert [e.text for e in only_sms.data] == ["Reminder"]
    assert sdk.ai.assistants.scheduled_events.delete(sms.scheduled_event_id, assistant_id=assistant.id) is None
    with pytest.raises(telnyx.UnprocessableEntityError):
        sdk.ai.assistants.scheduled_events.create(
            assistant.id, scheduled_at_fixed_datetime=when, telnyx_agent_target="a", telnyx_end_user_target="b",
            telnyx_conversation_channel="sms_chat")


def test_tests_suites_and_runs(sdk):
    assistant = sdk.ai.assistants.create(name="Under test", instructions="You are a bakery.")
    rubric = [{"name": "greets", "criteria": "Greets"}, {"name": "orders", "criteria": "Takes the order"}]
    test = sdk.ai.assistants.tests.create(name="Order cake", destination=assistant.id, instructions="Order a cake.",
                                          rubric=rubric, test_suite="bakery", telnyx_conversation_channel="web_chat")
    assert test.rubric[0].name == "greets"
    sdk.ai.assistants.tests.create(name="Ask hours", destination=assistant.id, instructions="Ask opening hours.",
                                   rubric=rubric, test_suite="bakery")
    assert sdk.ai.assistants.tests.retrieve(test.test_id).name == "Order cake"
    assert sdk.ai.assistants.tests.update(test.test_id, max_duration_seconds=60).max_duration_seconds == 60
    assert len(list(sdk.ai.assistants.tests.list(test_suite="bakery", page_size=1))) == 2
    assert sdk.ai.assistants.tests.test_suites.list().data == ["bakery"]

    run = sdk.ai.assistants.tests.runs.trigger(test.test_id, destination_version_id=assistant.version_id)
    assert run.status in ("passed", "failed") and run.detail_status
    assert sdk.ai.assistants.tests.runs.retrieve(run.run_id, test_id=test.test_id).logs
    assert [r.run_id for r in sdk.ai.assistants.tests.runs.list(test.test_id).data] == [run.run_id]
    suite_runs = sdk.ai.assistants.tests.test_suites.runs.trigger("bakery")
    assert len(suite_runs) == 2 and suite_runs[0].test_suite_run_id
    history = sdk.ai.assistants.tests.test_suites.runs.list("bakery", test_suite_run_id=suite_runs[0].test_suite_run_id)
    assert len(history.data) == 2
    assert sdk.ai.assistants.tests.delete(test.test_id) is None


def test_integrations_and_connections(sdk):
    SbConnection.objects.create(id="conn-contract", integration_id=INTEGRATIONS[2]["id"],
                                allowed_tools=["create_ticket"], created_at=dj_timezone.now())
    listed = sdk.ai.integrations.list().data
    assert {i.status for i in listed} == {"connected", "disconnected"}
    assert sdk.ai.integrations.retrieve(INTEGRATIONS[2]["id"]).status == "connected"
    assert [c.id for c in sdk.ai.integrations.connections.list().data] == ["conn-contract"]
    assert sdk.ai.integrations.connections.retrieve("conn-contract").data.allowed_tools == ["create_ticket"]
    assert sdk.ai.integrations.connections.delete("conn-contract") is None


def test_mcp_servers(sdk):
    created = sdk.ai.mcp_servers.create(name="Docs", type="http", url="https://mcp.example.com", allowed_tools=["search"])
    sdk.ai.mcp_servers.create(name="Tickets", type="sse", url="https://tickets.example.com")
    page = sdk.ai.mcp_servers.list(page_size=1)
    assert [s.name for s in page] == ["Docs", "Tickets"]  # walks pages until an empty one
    assert sdk.ai.mcp_servers.retrieve(created.id).allowed_tools == ["search"]
    assert sdk.ai.mcp_servers.update(created.id, name="Docs v2").name == "Docs v2"
    assert sdk.ai.mcp_servers.delete(created.id) is None
    with pytest.raises(telnyx.NotFoundError):
        sdk.ai.mcp_servers.retrieve(created.id)
