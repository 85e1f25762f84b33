"""An admin stages a change as a new version, compares it with main, promotes it, rolls back."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from portal.telnyx import get_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_edits_stages_compares_promotes_and_rolls_back(live_server, sandbox, team_admin, login, page):
    call_command("sandbox_seed", "--demo", verbosity=0)
    acme = next(a for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Acme Support")
    login(team_admin)

    page.goto(f"{live_server.url}/assistants/{acme['id']}/")
    page.locator(".tabs").get_by_role("link", name="Change").click()
    expect(page.locator("legend", has_text="Telephony")).to_be_visible()

    # Add a tool row over HTMX, then remove it again: the form stays intact.
    page.select_option("#new_tool_type", "send_dtmf")
    page.click("button:has-text('Add tool')")
    expect(page.locator("[data-testid=tool-row]")).to_have_count(3)
    page.locator("[data-testid=tool-row]").nth(2).locator("button:has-text('Remove tool')").click()
    expect(page.locator("[data-testid=tool-row-removed]")).to_have_count(1)

    page.fill("#id_instructions", "You are Acme's support agent.\nOffer a callback when the wait is long.")
    page.fill("#id_version_name", "browser callback")
    # Leaving with unsaved edits asks first; staying keeps them.
    expect(page.get_by_test_id("save-bar")).to_contain_text("Unsaved edits")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_test_id("save-bar").get_by_role("link", name="Cancel").click()
    assert dialogs == ["beforeunload"]
    expect(page.locator("#id_version_name")).to_have_value("browser callback")

    page.click("button:has-text('Save as new version')")
    flash = page.locator(".message-success")
    expect(flash).to_contain_text("Saved new version “browser callback”. It is not live.")
    for step in ("Try in chat", "Run suites on this version", "Make live…"):
        expect(flash.get_by_role("link", name=step)).to_have_count(1)
    expect(page.locator(".page-head .badge-main")).to_have_count(0)

    page.locator(".page-head").get_by_role("link", name="Compare with main").click()
    # Word-level: only the added sentence is marked; the unchanged words around it are not.
    diff = page.get_by_test_id("instructions-diff")
    expect(diff).to_contain_text("You are Acme's support agent.")
    expect(diff.locator("ins").first).to_contain_text("Offer a callback")
    expect(diff.locator("ins", has_text="You are Acme")).to_have_count(0)

    page.click("text=Promote “browser callback”")
    expect(page.locator("[data-testid=canary-warning]")).to_contain_text("20% to “empathy experiment”")
    # No suite has run on this version: the promotion gate wants a written override.
    expect(page.get_by_test_id("promotion-check")).to_contain_text("The promotion gate refuses this version")
    page.fill("#override_reason", "hotfix agreed in stand-up")
    page.click("button:has-text('Yes, promote it')")
    expect(page.locator(".message-success")).to_contain_text("Promoted “browser callback” to main")
    expect(page.locator(".message-success")).to_contain_text("canary deploy (20% to “empathy experiment”) was removed")
    expect(page.locator("[data-testid=versions-table] tr", has_text="browser callback").locator(".badge-main")).to_have_count(1)
    expect(page.locator("[data-testid=canary-banner]")).to_have_count(0)

    page.click("a:has-text('Roll back')")
    expect(page.locator("h1")).to_contain_text("Roll back “Acme Support”")
    page.click("button:has-text('Yes, roll back')")
    expect(page.locator(".message-success")).to_contain_text("is main again")
    assert get_client().get(f"ai/assistants/{acme['id']}").data["version_id"] == acme["version_id"]
    expect(page).to_have_url(re.compile(r"/versions/$"))


def test_viewer_sees_versions_but_no_write_buttons(live_server, sandbox, viewer, login, page):
    call_command("sandbox_seed", "--demo", verbosity=0)
    acme = next(a for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Acme Support")
    login(viewer)
    page.goto(f"{live_server.url}/assistants/{acme['id']}/versions/")
    expect(page.locator("[data-testid=versions-table]")).to_contain_text("empathy experiment")
    expect(page.locator(".tabs")).not_to_contain_text("Change")
    expect(page.locator("[data-testid=versions-table] >> text=Promote")).to_have_count(0)
    expect(page.locator("text=Roll back")).to_have_count(0)
