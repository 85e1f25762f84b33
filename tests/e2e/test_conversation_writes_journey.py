"""An Operator creates a conversation from the list and adds messages from its page; an
Admin edits its metadata. The portal talks to the sandbox over HTTP."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("UX_SHOTS", "")  # a folder: also save screenshots at 1366 and 1024 px


def _shots(page, name: str) -> None:
    if not SHOTS:
        return
    for width in (1366, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/ux-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1400, "height": 900})


def test_operator_creates_a_conversation_and_adds_messages(live_server, sandbox, operator, team_admin, login, page):
    login(operator)
    page.goto(f"{live_server.url}/conversations/")
    page.get_by_role("link", name="Add conversation").click()
    page.get_by_label("Name").fill("Billing question")
    page.get_by_label("Key 1").fill("topic")
    page.get_by_label("Value 1").fill("billing")
    page.get_by_label("Key 2").fill("topic")  # a duplicate key: the form says so and keeps what was typed
    page.get_by_label("Value 2").fill("refund")
    page.get_by_role("button", name="Create conversation").click()
    expect(page.locator(".field-errors")).to_contain_text("already set above")
    expect(page.get_by_label("Name")).to_have_value("Billing question")
    _shots(page, "conversation-add-errors")
    page.get_by_label("Key 2").fill("")
    page.get_by_label("Value 2").fill("")
    page.get_by_role("button", name="Create conversation").click()
    expect(page.locator("h1")).to_have_text("Billing question")
    expect(page.locator(".messages, [role=status]").first).to_contain_text("Created conversation")

    page.get_by_label("Message").fill("Is my bill ready?")
    page.get_by_role("button", name="Add message").click()
    expect(page.locator(".bubble-user")).to_contain_text("Is my bill ready?")
    page.get_by_label("Role").select_option("assistant")
    page.get_by_label("Message").fill("Yes, it is in your inbox.")
    page.get_by_role("button", name="Add message").click()
    expect(page.locator(".bubble-assistant")).to_contain_text("Yes, it is in your inbox.")
    _shots(page, "conversation-detail")
    conversation_url = page.url

    page.context.clear_cookies()  # log the Operator out
    login(team_admin)
    page.goto(conversation_url)
    page.get_by_role("link", name="Edit metadata").click()
    expect(page.get_by_label("Key 1")).to_have_value("topic")
    page.get_by_label("Value 1").fill("refund")
    page.get_by_label("Key 2").fill("priority")
    page.get_by_label("Value 2").fill("high")
    _shots(page, "conversation-metadata")
    page.get_by_role("button", name="Save metadata").click()
    expect(page.locator(".props")).to_be_visible()
    page.locator("details.raw-json summary").click()
    expect(page.locator("details.raw-json pre")).to_contain_text('"priority": "high"')
    expect(page.locator("details.raw-json pre")).to_contain_text('"topic": "refund"')
