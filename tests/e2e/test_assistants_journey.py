"""An admin's first session: demo assistants appear, one is created, found, opened, deleted."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_creates_finds_opens_and_deletes_an_assistant(live_server, sandbox, team_admin, login, page):
    call_command("sandbox_seed", "--demo", verbosity=0)
    login(team_admin)
    expect(page.get_by_test_id("role")).to_have_text("Admin")

    # The never-synced list renders at once, then refreshes itself from the sandbox via HTMX.
    page.locator(".sidebar").get_by_role("link", name="Assistants", exact=True).click()
    expect(page.locator("#changelist-table")).to_contain_text("Acme Support")
    expect(page.get_by_test_id("freshness")).to_contain_text("Synced")

    page.click("text=Add assistant")
    page.fill("#id_name", "Browser-made bot")
    page.select_option("#id_model", index=1)
    page.fill("#id_instructions", "Greet the caller and ask how you can help.")
    page.fill("#id_tags", "e2e, demo")
    page.click("button:has-text('Create assistant')")
    expect(page.locator(".message-success")).to_contain_text("Created assistant “Browser-made bot”")
    expect(page.locator("pre.instructions")).to_contain_text("Greet the caller")

    # Search from the changelist; HTMX swaps only the table and pushes the URL.
    page.click(".breadcrumbs >> text=Assistants")
    page.fill(".searchbar input[name=q]", "browser-made")
    page.press(".searchbar input[name=q]", "Enter")
    expect(page).to_have_url(re.compile(r"q=browser-made"))
    table = page.locator("#changelist-table")
    expect(table).to_contain_text("1 result")
    expect(table).not_to_contain_text("Acme Support")

    page.click("#changelist-table >> text=Browser-made bot")
    expect(page.locator("h1")).to_have_text("Browser-made bot")
    page.click("text=Delete")
    expect(page.locator("h1")).to_contain_text("Delete “Browser-made bot”?")
    page.click("button:has-text('Yes, delete it')")
    expect(page.locator(".message-success")).to_contain_text("Deleted assistant “Browser-made bot”")
    # Back on the list with the search kept, now empty.
    expect(page).to_have_url(re.compile(r"q=browser-made"))
    expect(page.locator("#changelist-table")).to_contain_text("No assistants match")
    assert "KEYtest" not in page.content()


def test_viewer_sees_no_write_buttons(live_server, sandbox, viewer, login, page):
    call_command("sandbox_seed", "--demo", verbosity=0)
    login(viewer)
    page.goto(f"{live_server.url}/assistants/")
    expect(page.locator("#changelist-table")).to_contain_text("Acme Support")
    expect(page.locator("text=Add assistant")).to_have_count(0)
    response = page.goto(f"{live_server.url}/assistants/add/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Not allowed")
