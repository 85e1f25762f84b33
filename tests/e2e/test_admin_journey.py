"""The whole team-admin journey in one browser session: create an assistant, stage a new
version, compare it, send 20% of traffic to it, chat and see both versions answer, read the
observed split, promote (the canary goes), then roll back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.telnyx import get_client
from sandbox import dice

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_stage_compare_canary_chat_promote_roll_back(live_server, sandbox, team_admin, login, page):
    login(team_admin)
    base = live_server.url

    # Create.
    page.goto(f"{base}/assistants/add/")
    page.fill("#id_name", "Journey bot")
    page.select_option("#id_model", index=1)
    page.fill("#id_instructions", "You answer questions about opening hours.")
    page.click("button:has-text('Create assistant')")
    expect(page.locator(".message-success")).to_contain_text("Created assistant “Journey bot”")
    assistant_id = re.search(r"/assistants/([^/]+)/$", page.url).group(1)
    first_main = get_client().get(f"ai/assistants/{assistant_id}").data["version_id"]

    # Stage a new version without promoting it.
    page.locator(".tabs").get_by_role("link", name="Change").click()
    page.fill("#id_instructions", "You answer questions about opening hours.\nAlways mention the holiday schedule.")
    page.fill("#id_version_name", "holiday note")
    page.click("button:has-text('Save as new version')")
    expect(page.locator(".message-success")).to_contain_text("Saved new version “holiday note”")
    assert get_client().get(f"ai/assistants/{assistant_id}").data["version_id"] == first_main  # not live

    # Compare it with main.
    page.locator(".page-head").get_by_role("link", name="Compare with main").click()
    expect(page.locator("[data-testid=instructions-diff] ins").last).to_contain_text("holiday schedule")

    # Send 20% of new conversations to it.
    page.goto(f"{base}/assistants/{assistant_id}/canary/")
    page.click("button:has-text('+ Rule')")
    staged = page.locator("select[name=r0-s0-version] option", has_text="holiday note").get_attribute("value")
    page.select_option("select[name=r0-s0-version]", staged)
    page.fill("input[name=r0-s0-weight]", "20")
    expect(page.get_by_test_id("canary-preview")).to_contain_text("main 80%")
    page.get_by_test_id("save-canary").click()
    expect(page.get_by_test_id("canary-status")).to_contain_text("Canary deploy active")

    # Chat: new conversations are routed by the weights; each reply names its version.
    dice.reset()  # the sandbox's seeded routing: 2 of the next 6 draws fall under 20
    page.locator(".tabs").get_by_role("link", name="Chat").click()
    labels = []
    for n in range(6):
        page.get_by_test_id("new-conversation").click()
        page.fill("textarea[name=content]", f"When do you open on day {n}?")
        page.get_by_test_id("send").click()
        expect(page.get_by_test_id("exchange")).to_have_count(1)
        # The reply streams in; its version label is final once the stream is done.
        expect(page.get_by_test_id("exchange")).to_have_attribute("data-state", "done")
        labels.append(page.get_by_test_id("version-label").inner_text())
    assert any("holiday note" in label for label in labels), labels
    assert any(label.startswith("main") for label in labels), labels

    # The observed split counts those conversations beside the configured weights.
    page.locator(".tabs").get_by_role("link", name="Canary").click()
    expect(page.get_by_test_id("observed-split")).to_contain_text("Last 24 hours 6 conversations")

    # Promote: the canary deploy goes away.
    page.goto(f"{base}/assistants/{assistant_id}/versions/")
    page.locator("[data-testid=versions-table] tr", has_text="holiday note").get_by_role("link", name="Promote").click()
    expect(page.locator("[data-testid=canary-warning]")).to_contain_text("holiday note")
    # No suite has run on this version: the promotion gate wants a written override.
    expect(page.get_by_test_id("promotion-check")).to_contain_text("The promotion gate refuses this version")
    page.fill("#override_reason", "hotfix agreed in stand-up")
    page.click("button:has-text('Yes, promote it')")
    expect(page.locator(".message-success")).to_contain_text("Promoted “holiday note” to main")
    page.goto(f"{base}/assistants/{assistant_id}/canary/")
    expect(page.get_by_test_id("canary-status")).to_contain_text("No canary deploy")

    # Roll back to the first main.
    page.goto(f"{base}/assistants/{assistant_id}/versions/")
    page.click("a:has-text('Roll back')")
    page.click("button:has-text('Yes, roll back')")
    expect(page.locator(".message-success")).to_contain_text("is main again")
    assert get_client().get(f"ai/assistants/{assistant_id}").data["version_id"] == first_main
