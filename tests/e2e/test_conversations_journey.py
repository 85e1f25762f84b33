"""A never-synced conversation list loads itself in steps, then a transcript opens."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from conversations import services

pytestmark = pytest.mark.django_db(transaction=True)


def test_conversations_sync_in_steps_and_open_as_a_transcript(live_server, sandbox, viewer, login, page, monkeypatch):
    call_command("sandbox_seed", "--demo", verbosity=0)
    monkeypatch.setattr(services, "BATCH_SIZE", 25)  # the demo's ~80 conversations take several steps
    login(viewer)
    page.goto(f"{live_server.url}/conversations/")
    # Steps run one request each; when the last is done the table reloads itself.
    expect(page.get_by_test_id("sync-progress")).to_contain_text(re.compile(r"Loaded \d+ conversations"), timeout=20_000)
    table = page.locator("#changelist-table")
    expect(table).to_contain_text(re.compile(r"\d+ results"))
    page.locator("#changelist-table a.row-title").first.click()
    expect(page.locator(".bubble-user").first).to_be_visible()
    expect(page.locator(".bubble-assistant").first).to_be_visible()
    expect(page.locator(".props")).to_contain_text("Assistant")
