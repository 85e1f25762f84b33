"""At 1024 px every list keeps its priority column (the row's name) in view, the filters sit
above the table, and the live search and the filters travel together in the URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)

# Every list page of the portal (each URL named *-list that takes no argument), plus the audit log.
LISTS = ["/assistants/", "/assistants/deleted/", "/conversations/", "/conversations/insights/", "/conversations/insights/groups/",
         "/testing/tests/", "/testing/suites/", "/alerts/", "/knowledge/buckets/", "/knowledge/clusters/", "/knowledge/tasks/",
         "/mcp-servers/", "/tools/", "/integrations/", "/integrations/connections/", "/inference/models/",
         "/inference/fine-tuning/", "/users/", "/audit/"]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_priority_columns_stay_visible_and_search_and_filters_travel_together(live_server, sandbox, team_admin, login, page):
    call_command("sandbox_seed", "--demo", verbosity=0)
    login(team_admin)
    page.set_viewport_size({"width": 1024, "height": 800})
    checked = 0
    for path in LISTS:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        table = page.locator("#changelist-table table").first
        if not table.count():
            continue
        table.evaluate("t => { const s = t.closest('.table-card'); if (s) s.scrollLeft = 10000; }")
        first = table.locator("tbody tr").first.locator("td:not(.check-col)").first
        if not first.count():
            continue
        box, card = first.bounding_box(), table.evaluate("t => t.closest('.table-card').getBoundingClientRect().toJSON()")
        assert box and box["x"] >= card["left"] - 1 and box["x"] + 40 <= card["right"], f"{path}: the name column scrolled away"
        assert box["x"] + box["width"] <= 1024, f"{path}: the name column is off screen"
        checked += 1
        # The column chooser never offers the priority (name) column: it cannot be hidden.
        header = table.locator("thead th:not(.check-col)").first.evaluate("th => th.textContent.trim()")
        chooser = page.get_by_test_id("column-chooser")
        if chooser.count() and header:
            chooser.locator("summary").click()
            assert chooser.get_by_role("checkbox").count(), f"{path}: the chooser offers nothing"
            assert not chooser.get_by_role("checkbox", name=header, exact=True).count(), f"{path}: {header} can be hidden"
    assert checked >= 12, f"only {checked} lists had rows to check"

    page.goto(f"{live_server.url}/assistants/")
    page.fill(".searchbar input[name=q]", "support")
    page.wait_for_url("**q=support**")
    page.locator(".filters select[name=model]").select_option(index=1)
    page.locator(".filters button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "q=support" in page.url and "model=" in page.url
