"""Finding the portal's pages the way a user does: follow its own links from the dashboard."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

from django.test import Client

SKIP = ("/logout/", "/sandbox/", "/static/", "/login/")
HREF = re.compile(r'href="([^"#]+)"')


def crawl(client: Client, start: str = "/", limit: int = 120) -> list[str]:
    """Paths of the GET pages reachable from `start` (one per path: query variants skipped)."""
    queue, seen = [start], []
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.append(path)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            url = urlparse(urljoin("http://testserver" + path, href.replace("&amp;", "&")))
            if url.netloc == "testserver" and not url.path.startswith(SKIP) and url.path not in seen:
                queue.append(url.path)
    return seen
