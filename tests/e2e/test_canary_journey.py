"""An admin sends 20% of new conversations to an older version, watches the split bar follow
the typed weights, chats in the playground and sees which version answered, then sees the
observed split."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from portal.telnyx import get_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_sets_a_canary_chats_and_sees_the_observed_split(live_server, sandbox, team_admin, login, page):
    call_command("sandbox_seed", "--demo", verbosity=0)
    sales = next(a for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Sales Qualifier")
    login(team_admin)

    page.goto(f"{live_server.url}/assistants/{sales['id']}/")
    page.locator(".tabs").get_by_role("link", name="Canary").click()
    expect(page.get_by_test_id("canary-status")).to_contain_text("No canary deploy")

    # Add a rule: HTMX renders it with one empty rollout row.
    page.click("button:has-text('+ Rule')")
    expect(page.get_by_test_id("rule-0")).to_be_visible()
    initial = page.locator("select[name=r0-s0-version] option", has_text="initial").get_attribute("value")
    page.select_option("select[name=r0-s0-version]", initial)
    preview = page.get_by_test_id("canary-preview")

    page.fill("input[name=r0-s0-weight]", "150")
    expect(page.get_by_test_id("weight-error-0-0")).to_have_text("Must be between 0 and 100.")
    page.fill("input[name=r0-s0-weight]", "20")
    expect(page.get_by_test_id("weight-error-0-0")).to_have_text("")
    expect(preview).to_contain_text("initial 20%")
    expect(preview).to_contain_text("main 80%")
    bar_segments = preview.locator(".split-bar .seg")
    expect(bar_segments).to_have_count(2)
    assert bar_segments.first.get_attribute("data-width") == "20.00"
    assert bar_segments.first.evaluate("seg => seg.style.width") == "20%"  # drawn by portal.js

    # The tester can try the unsaved draft.
    page.get_by_test_id("test-draft").click()
    expect(page.get_by_test_id("tester-result")).to_contain_text("Against the draft in the editor")
    expect(page.get_by_test_id("tester-result")).to_contain_text("initial 20%")

    page.get_by_test_id("save-canary").click()
    expect(page.locator(".message-success")).to_contain_text("Saved the canary deploy.")
    expect(page.get_by_test_id("canary-status")).to_contain_text("Canary deploy active")
    expect(page.get_by_test_id("split-history")).to_contain_text("Saved")

    # Chat: several new conversations, each reply labelled with the version that answered.
    page.locator(".tabs").get_by_role("link", name="Chat").click()
    for n in range(6):
        page.get_by_test_id("new-conversation").click()
        page.fill("textarea[name=content]", f"Hello, I am lead {n}")
        page.get_by_test_id("send").click()
        expect(page.get_by_test_id("exchange")).to_have_count(1)
        expect(page.get_by_test_id("version-label")).to_have_text(re.compile(r"^(initial|main · revision 1)$"))
    # A second turn stays in the same conversation.
    conversation = page.get_by_test_id("conversation-id").inner_text()
    page.fill("textarea[name=content]", "And the pricing?")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("exchange")).to_have_count(2)
    assert page.get_by_test_id("conversation-id").inner_text() == conversation

    page.locator(".tabs").get_by_role("link", name="Canary").click()
    observed = page.get_by_test_id("observed-split")
    expect(observed).to_contain_text("Last 24 hours 6 conversations")
    expect(observed).to_contain_text("Configured")
