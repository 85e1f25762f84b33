"""Every page works under the Content-Security-Policy: Chromium loads each one (the portal's
own links, followed from the dashboard over the seeded sandbox) and reports no violation."""

from __future__ import annotations

from urllib.parse import urljoin, urlparse

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)

SKIP = ("/logout/", "/sandbox/", "/static/", "/login/")
MAX_PAGES = 70


def test_no_page_violates_the_content_security_policy(live_server, sandbox, team_admin, login, page):
    call_command("sandbox_seed", "--demo", verbosity=0)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: violations.append(f"{page.url}: {e}"))
    login(team_admin)
    base = live_server.url
    queue, seen = ["/"], set()
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
        for href in hrefs:
            url = urlparse(urljoin(base + path, href))
            if url.netloc == urlparse(base).netloc and not url.path.startswith(SKIP) and url.path not in seen:
                # One page per path: sort and filter variants of a list add nothing here.
                queue.append(url.path)
    assert len(seen) >= 30, f"only {len(seen)} pages reached: {sorted(seen)}"
    assert not violations, "\n".join(violations)
