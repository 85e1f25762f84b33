"""Finding the portal's pages the way a user does: follow its own links from the dashboard."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

from django.test import Client
from django.urls import Resolver404, resolve

SKIP = ("/logout/", "/sandbox/", "/static/", "/login/")
HREF = re.compile(r'href="([^"#]+)"')
# Every URL a page can send the browser to: links, form actions and HTMX requests.
TARGET = re.compile(r'(?:href|action|hx-get|hx-post|hx-delete|hx-put)="([^"#]+)"')


def crawl(client: Client, start: str = "/", limit: int = 120, found: set[str] | None = None,
          one_per_route: bool = False) -> list[str]:
    """Paths of the GET pages reachable from `start` (one per path: query variants skipped).

    `found`, if given, collects the path of every link, form action and HTMX URL seen on
    those pages (POST targets included), for tests that need a real URL of each pattern.
    `one_per_route` visits one page per URL pattern (one assistant's pages, not all eight).
    """
    queue, seen, routes = [start], [], set()
    while queue and len(seen) < limit:
        path = queue.pop(0)
        route = _route(path) if one_per_route else path
        if path in seen or route in routes:
            continue
        seen.append(path)
        routes.add(route)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if found is not None:
            for target in TARGET.findall(html):
                url = urlparse(urljoin("http://testserver" + path, target.replace("&amp;", "&")))
                if url.netloc == "testserver" and not url.path.startswith(SKIP):
                    found.add(url.path)
        for href in HREF.findall(html):
            url = urlparse(urljoin("http://testserver" + path, href.replace("&amp;", "&")))
            if url.netloc == "testserver" and not url.path.startswith(SKIP) and url.path not in seen:
                queue.append(url.path)
    return seen


def crawl_with_caches(client: Client, found: set[str] | None = None) -> list[str]:
    """Crawl, click every changelist's Refresh (filling its cache from Telnyx), crawl again:
    the second crawl reaches every object's pages."""
    first: set[str] = set()
    crawl(client, found=first)
    for path in sorted(p for p in first if p.endswith("/refresh/")):
        client.post(path)
    for _ in range(5):  # conversations sync in steps
        client.post("/conversations/sync/")
    return crawl(client, limit=400, found=found, one_per_route=True)


def _route(path: str) -> str:
    try:
        return resolve(path).route
    except Resolver404:
        return path
