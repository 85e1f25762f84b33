"""A Viewer filters the conversations list, exports it as CSV (the rows are the filtered ones),
then opens the insight analytics page from the sidebar and sees its charts."""

from __future__ import annotations

import csv
import io
import os
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from conversations.insights.sync import insights_sync
from conversations.models import Conversation
from conversations.tasks import conversations_sync

pytestmark = pytest.mark.django_db(transaction=True)


def test_export_a_filtered_list_then_open_insight_analytics(live_server, sandbox, viewer, login, page):
    call_command("sandbox_seed", "--demo", verbosity=0)
    assert conversations_sync().error is None and insights_sync().error is None
    channel = Conversation.objects.exclude(channel="").values_list("channel", flat=True).first()
    # The call log hides test runs' conversations by default: the real calls on that channel.
    expected = set(Conversation.objects.filter(channel=channel, is_test=False).values_list("telnyx_id", flat=True))
    assert 0 < len(expected) < Conversation.objects.count()

    login(viewer)
    page.goto(f"{live_server.url}/conversations/")
    page.select_option("#id_channel", channel)
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("filter-chips")).to_contain_text("By channel")
    expect(page.locator("#changelist-table")).to_contain_text(f"{len(expected)} result")
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    text = open(download.value.path(), encoding="utf-8").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["Conversation id"] for r in rows} == expected
    assert {r["Channel"] for r in rows} == {channel}

    page.get_by_role("link", name="Insight analytics").click()
    expect(page.get_by_role("heading", name="Insight analytics")).to_be_visible()
    expect(page.get_by_test_id("analytics-summary")).to_contain_text(re.compile(r"\d+ results?"))
    expect(page.get_by_test_id("analytics-chart").first.locator("svg.chart-svg")).to_be_visible()
    violations = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not violations
    if os.environ.get("E2E_SCREENSHOTS"):
        for width in (1366, 1024):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"/tmp/data-analytics-{width}.png", full_page=True)
        page.goto(f"{live_server.url}/conversations/?column={page.locator('#id_template').input_value()}:resolved")
        for width in (1366, 1024):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"/tmp/data-conversations-{width}.png")
