"""An admin schedules an SMS chat in their own time zone and cancels it, then adds and deletes
an MCP server."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from portal.telnyx import get_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_schedules_and_cancels_an_sms_then_manages_an_mcp_server(live_server, sandbox, team_admin, login, page):
    call_command("sandbox_seed", "--demo", verbosity=0)
    clinic = next(a for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Clinic Booking")
    login(team_admin)

    page.goto(f"{live_server.url}/assistants/{clinic['id']}/scheduled/")
    page.click("text=Schedule a call or SMS")
    page.select_option("#id_telnyx_conversation_channel", "sms_chat")
    page.fill("#id_telnyx_agent_target", "+15550001111")
    page.fill("#id_telnyx_end_user_target", "+15559990000")
    page.fill("#id_scheduled_at", "2099-03-10T08:15")
    page.select_option("#id_time_zone", "Asia/Tokyo")
    page.click("button:has-text('Schedule')")
    expect(page.locator(".field-errors")).to_contain_text("SMS chats need the text to send.")
    expect(page.locator("#id_time_zone")).to_have_value("Asia/Tokyo")  # the choice survives the error
    page.fill("#id_text", "See you tomorrow at 9")
    page.click("button:has-text('Schedule')")
    expect(page.locator(".message-success")).to_contain_text("Scheduled the event.")
    expect(page.get_by_test_id("event-when")).to_have_text("9 Mar 2099, 23:15 UTC")  # Tokyo is UTC+9; shown in the reader's zone

    page.click("a:has-text('Cancel event')")  # a confirmation page, like every delete
    expect(page.locator("h1")).to_have_text("Cancel this scheduled event?")
    expect(page.locator(".card")).to_contain_text("+15559990000")
    page.click("button:has-text('Yes, cancel the event')")
    expect(page.locator(".message-success")).to_contain_text("Cancelled the scheduled event.")
    # The list serves the cache, which took Telnyx's answer to the cancel: shown as cancelled, not failed.
    page.select_option(".filters select[name=status]", "cancelled")
    page.click(".filters button:has-text('Apply')")
    expect(page.get_by_test_id("scheduled-events")).to_contain_text("+15559990000")
    page.fill(".searchbar input[name=q]", "5559990000")
    page.press(".searchbar input[name=q]", "Enter")
    expect(page.locator("#changelist-table .paginator .muted")).to_have_text("1 result")
    expect(page).to_have_url(re.compile(r"q=5559990000"))

    page.locator(".sidebar").get_by_role("link", name="MCP servers").click()
    expect(page.locator("#changelist-table")).to_contain_text("Synced")
    page.click("text=Add MCP server")
    page.fill("#id_name", "Browser docs")
    page.select_option("#id_type", "http")
    page.fill("#id_url", "https://docs.example.com/mcp")
    page.click("button:has-text('Create MCP server')")
    expect(page.locator(".message-success")).to_contain_text("Created MCP server “Browser docs”")
    page.click("text=Delete")
    page.click("button:has-text('Yes, delete it')")
    expect(page.locator(".message-success")).to_contain_text("Deleted MCP server “Browser docs”")
    expect(page.locator("#changelist-table")).not_to_contain_text("Browser docs")
