"""The pages issue 20 changed, as a person sees them at 1366 and 1024 px: the suite page's tabs
(links, keyboard reachable, each its own URL), the insight analytics day axis, and a list's
column chooser (hide a column, the name column stays). axe-core finds nothing serious or
critical on any of them. Screenshots go to var/screenshots when E2E_SCREENSHOTS is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from conversations.insights.sync import insights_sync
from conversations.tasks import conversations_sync

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = (1366, 1024)


def blocking(page) -> list[str]:
    return [f"{page.url}: {v['id']}" for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]


def shoot(page, name: str) -> None:
    if os.environ.get("E2E_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1366, "height": 900})


def test_suite_tabs_analytics_axis_and_column_chooser(live_server, sandbox, operator, login, page):
    call_command("sandbox_seed", "--demo", verbosity=0)
    assert conversations_sync().error is None and insights_sync().error is None
    login(operator)
    found: list[str] = []
    page.set_viewport_size({"width": 1366, "height": 900})

    # The suite page: Runs first; each tab a link reached with the keyboard; the URL names the tab.
    page.goto(f"{live_server.url}/testing/suites/support/")
    tabs = page.get_by_role("navigation", name="Suite sections")
    expect(tabs.get_by_role("link", name="Runs")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("suite-history")).to_be_visible()
    found += blocking(page)
    shoot(page, "suite-runs")
    for name, testid in (("Tests", "suite-tests"), ("Schedules", "schedules"), ("Alerts", "alerts")):
        link = tabs.get_by_role("link", name=name)
        link.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"**?tab={name.lower()}")
        expect(page.get_by_test_id(testid)).to_be_visible()
        expect(tabs.get_by_role("link", name=name)).to_have_attribute("aria-current", "page")
        expect(page.get_by_test_id("suite-history")).to_have_count(0)
        found += blocking(page)
        shoot(page, f"suite-{name.lower()}")
    tabs.get_by_role("link", name="Schedules").click()
    page.get_by_test_id("add-schedule").click()  # an empty schedule: the form comes back on its tab
    expect(tabs.get_by_role("link", name="Schedules")).to_have_attribute("aria-current", "page")

    # Insight analytics over 30 days: day labels never overlap and none is cut at the edges.
    page.goto(f"{live_server.url}/conversations/insights/analytics/")
    chart = page.get_by_test_id("analytics-chart").first.locator("svg.chart-svg")
    expect(chart).to_be_visible()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        svg = chart.bounding_box()
        # The x axis's labels sit below the plot (y = 210 of 220); the y axis's are beside it.
        days = sorted((t.bounding_box() for t in chart.locator("text.chart-axis").all() if t.get_attribute("y") == "210"),
                      key=lambda b: b["x"])
        assert len(days) >= 2
        assert all(a["x"] + a["width"] <= b["x"] for a, b in zip(days, days[1:])), "day labels overlap"
        assert days[0]["x"] >= svg["x"] - 0.5 and days[-1]["x"] + days[-1]["width"] <= svg["x"] + svg["width"] + 0.5, "a day label is cut"
    page.set_viewport_size({"width": 1366, "height": 900})
    found += blocking(page)
    shoot(page, "analytics")

    # A list's column chooser: hide "Model", it stays hidden on the next visit; the name column cannot be hidden.
    page.goto(f"{live_server.url}/assistants/")
    table = page.locator("#changelist-table table")
    expect(table.locator("thead")).to_contain_text("Model")
    chooser = page.get_by_test_id("column-chooser")
    chooser.locator("summary").click()
    expect(chooser.get_by_role("checkbox", name="Name")).to_have_count(0)
    chooser.get_by_role("checkbox", name="Model").uncheck()
    chooser.get_by_role("button", name="Apply").click()
    page.wait_for_load_state("networkidle")
    expect(table.locator("thead")).not_to_contain_text("Model")
    expect(chooser.locator("summary")).to_have_text("Columns (1 hidden)")
    page.goto(f"{live_server.url}/assistants/")
    expect(page.locator("#changelist-table table thead")).not_to_contain_text("Model")
    chooser.locator("summary").click()
    found += blocking(page)
    shoot(page, "assistants-columns")
    assert not found, "\n".join(found)
