"""Security baseline, enumerated from the URL conf so new URLs are covered automatically."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# webhooks/ takes no login: Telnyx calls it, and only signed bodies get in (tests/conversations/test_insight_webhooks.py).
PUBLIC_PREFIXES = ("login/", "sandbox/", "static/", "webhooks/")
# POST endpoints a Viewer may use: they only re-read Telnyx into the cache, or log out.
VIEWER_POSTS = {"assistants:assistant-refresh", "inference:model-refresh", "conversations:conversation-sync", "dashboard-refresh", "logout",
                # reads that POST to Telnyx or refresh caches
                "knowledge:bucket-refresh", "knowledge:task-refresh", "knowledge:cluster-refresh",
                "knowledge:bucket-summarize", "inference:job-refresh", "insights:insight-refresh", "insights:analytics-refresh",
                "testing:test-refresh", "testing:suite-refresh",
                # only re-reads the MCP server list from Telnyx, like the other refreshes
                "mcp_servers:server-refresh", "shared_tools:tool-refresh",
                # one's own time zone and list columns: change nothing anyone else sees
                "preferences", "preferences-columns"}


def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}" if entry.name else ""


def _concrete(route: str) -> str:
    """Fill every converter with a plausible value: '<str:assistant_id>/' → 'x-1/'."""
    import re

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: "1" if m.group(1) == "int" else "x-1", route)


def portal_urls() -> list[tuple[str, str]]:
    return [(_concrete(route), name) for route, name in _patterns() if not route.startswith(PUBLIC_PREFIXES)]


def test_the_only_public_portal_url_outside_login_is_the_signed_webhook():
    public = [route for route, _ in _patterns() if route.startswith("webhooks/")]
    assert public == ["webhooks/telnyx/insights/"]
    response = Client().post("/webhooks/telnyx/insights/", "{}", content_type="application/json")
    assert response.status_code == 401


def test_url_enumeration_finds_the_portal_pages():
    names = {name for _, name in portal_urls()}
    assert {"dashboard", "audit", "assistants:assistant-list", "assistants:assistant-add", "assistants:assistant-detail"} <= names


@pytest.mark.parametrize("url, name", portal_urls())
def test_anonymous_users_are_sent_to_login(url, name):
    for method in ("get", "post"):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302, f"{method.upper()} {url} ({name}) answered {response.status_code}"
        assert response.url.startswith("/login/")


@pytest.mark.parametrize("url, name", [(u, n) for u, n in portal_urls() if n not in VIEWER_POSTS])
def test_viewer_gets_403_or_405_on_every_post(viewer_client, url, name):
    response = viewer_client.post(url, {"name": "x", "instructions": "y", "model": "z"})
    assert response.status_code in (403, 405), f"POST {url} ({name}) answered {response.status_code}"


def test_user_without_a_role_cannot_read(no_role_user):
    client = Client()
    client.force_login(no_role_user)
    assert client.get("/assistants/").status_code == 403
    assert client.get("/").status_code == 403


def test_csrf_is_enforced_on_posts(team_admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(team_admin)
    response = client.post("/assistants/add/", {"name": "x", "instructions": "y"})
    assert response.status_code == 403


def test_every_page_gives_htmx_the_csrf_token(viewer_client):
    content = viewer_client.get("/").content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in content


def test_login_page_is_public_and_works(viewer):
    client = Client()
    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"username": viewer.username, "password": "pw-for-tests-only"})
    assert response.status_code == 302 and response.url == "/"
    assert "Viewer" in client.get("/").content.decode()


def test_wrong_password_shows_an_error_and_keeps_the_username(viewer):
    response = Client().post("/login/", {"username": viewer.username, "password": "wrong"})
    assert response.status_code == 200
    assert b"didn't match" in response.content and viewer.username.encode() in response.content
