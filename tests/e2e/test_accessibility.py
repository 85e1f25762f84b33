"""Accessibility: axe-core (shipped inside axe-playwright-python, nothing fetched at run time)
audits the main pages in Chromium and finds no serious or critical violation."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)

BLOCKING = {"serious", "critical"}
SKIP = ("/logout/", "/sandbox/", "/static/", "/login/")
# Pages every role sees first and forms a team fills in; the crawl from the dashboard adds
# every list and detail page it links to.
START = [
    "/",
    "/tasks/",
    "/users/",
    "/audit/",
    "/assistants/new/",
    "/mcp-servers/new/",
    "/testing/tests/new/",
    "/knowledge/",
    "/inference/",
    "/conversations/",
    "/conversations/add/",
    "/search/?q=support",
]
MAX_PAGES = 70
ID_SEGMENT = re.compile(r"/(?=[^/]*\d)[\w.:-]{6,}(?=/)|/\d+(?=/)")


def _shape(path: str) -> str:
    """One page per URL shape: the twentieth conversation adds nothing the first did not."""
    return ID_SEGMENT.sub("/<id>", path)


def _blocking_violations(axe: Axe, page) -> list[str]:
    results = axe.run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"][:3])
            found.append(f"{page.url}: {violation['id']} ({violation['impact']}) at {targets}")
    return found


def _audit(axe: Axe, page, url: str, found: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    found.extend(_blocking_violations(axe, page))


def test_main_pages_have_no_serious_accessibility_violation(live_server, sandbox, team_admin, login, page):
    call_command("sandbox_seed", "--demo", verbosity=0)
    axe, found = Axe(), []
    base = live_server.url
    _audit(axe, page, base + "/login/", found)
    login(team_admin)
    queue, seen = list(START), set()
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if _shape(path) in seen:
            continue
        seen.add(_shape(path))
        _audit(axe, page, base + path, found)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            url = urlparse(urljoin(base + path, href))
            if url.netloc == urlparse(base).netloc and not url.path.startswith(SKIP) and _shape(url.path) not in seen:
                queue.append(url.path)
    assert len(seen) >= 30, f"only {len(seen)} pages audited: {sorted(seen)}"
    assert not found, "\n".join(found)


def test_forbidden_page_has_no_serious_accessibility_violation(live_server, sandbox, viewer, login, page):
    login(viewer)
    response = page.goto(live_server.url + "/users/")
    assert response.status == 403
    assert not _blocking_violations(Axe(), page)


def test_empty_dashboard_has_no_serious_accessibility_violation(live_server, sandbox, team_admin, login, page):
    """A new account's first view: the empty-state rows carry links inside their sentences
    (CI once met this page before its first sync; a link told apart by colour alone)."""
    login(team_admin)
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".empty-state a").count() >= 1, "the dashboard showed no empty state"
    assert not _blocking_violations(Axe(), page)
