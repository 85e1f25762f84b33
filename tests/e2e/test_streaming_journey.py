"""An operator chats in both playgrounds in Chromium: replies stream in through fetch, the
serving version or model shows, Stop hides again, and the conversation carries on."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from portal.telnyx import get_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_assistant_chat_streams_and_names_the_version(live_server, sandbox, operator, login, page):
    call_command("sandbox_seed", "--demo", verbosity=0)
    sales = next(a for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Sales Qualifier")
    login(operator)
    streamed = []
    page.on("response", lambda r: streamed.append(r.url) if "text/event-stream" in r.headers.get("content-type", "") else None)
    page.goto(f"{live_server.url}/assistants/{sales['id']}/chat/")
    page.fill("textarea[name=content]", "Hello there")
    page.get_by_test_id("send").click()
    exchange = page.get_by_test_id("exchange")
    expect(exchange).to_have_attribute("data-state", "done")
    expect(exchange.get_by_test_id("version-label")).not_to_have_text("…")
    expect(exchange.locator(".reply")).not_to_be_empty()
    expect(page.get_by_test_id("stop")).to_be_hidden()
    expect(page.get_by_test_id("conversation-id")).to_have_text(re.compile(r"\S+"))
    page.fill("textarea[name=content]", "And again")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("exchange")).to_have_count(2)
    expect(page.get_by_test_id("exchange").nth(1)).to_have_attribute("data-state", "done")
    assert any(url.endswith("/chat/stream/") for url in streamed)


def test_chat_completions_stream_and_keep_the_history(live_server, sandbox, operator, login, page):
    call_command("sandbox_seed", "--demo", verbosity=0)
    login(operator)
    page.goto(f"{live_server.url}/inference/chat/")
    page.fill("textarea[name=message]", "How do I restart my router?")
    page.click("#playground button[type=submit]")
    # The stream ends with the playground re-rendered: the form now carries the history.
    expect(page.locator("input[name=history]")).to_have_value(re.compile("restart my router"))
    expect(page.locator(".bubble-assistant")).to_have_count(1)
    page.fill("textarea[name=message]", "And the modem?")
    page.click("#playground button[type=submit]")
    expect(page.locator("input[name=history]")).to_have_value(re.compile("the modem"))
    expect(page.locator(".bubble-assistant")).to_have_count(2)
    expect(page.locator(".bubble-assistant .bubble-meta").nth(1)).not_to_have_text("…")
    expect(page.locator(".bubble-user").first).to_have_text(re.compile("restart my router"))
    expect(page.get_by_test_id("stop")).to_be_hidden()


def test_stop_ends_a_reply_part_way(live_server, sandbox, operator, login, page, settings):
    call_command("sandbox_seed", "--demo", verbosity=0)
    settings.SANDBOX_STREAM_DELAY_MS = 400
    sales = next(a for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Sales Qualifier")
    login(operator)
    page.goto(f"{live_server.url}/assistants/{sales['id']}/chat/")
    page.fill("textarea[name=content]", "Tell me about your plans")
    page.get_by_test_id("send").click()
    exchange = page.get_by_test_id("exchange")
    expect(exchange.locator(".reply")).not_to_be_empty()  # the first fragments arrived
    expect(exchange.get_by_test_id("version-label")).not_to_have_text("…")
    page.get_by_test_id("stop").click()
    expect(exchange).to_have_attribute("data-state", "stopped")
    expect(exchange).to_contain_text("(stopped)")
    expect(page.get_by_test_id("send")).to_be_enabled()
    expect(page.get_by_test_id("stop")).to_be_hidden()
