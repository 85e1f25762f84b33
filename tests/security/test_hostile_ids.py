"""Hostile ids in portal URLs never steer a Telnyx call and never write.

Every URL pattern with an id or name parameter gets `?`, `/`, `..`, `#` (raw and
percent-encoded) before and after a real id from the demo seed, by GET and POST, as an
Operator and as an Admin, against the sandbox over HTTP. Every call the portal makes to
Telnyx is recorded. A hostile request may call only the endpoints (method and path with the
id as one segment) the same view calls for the real id, never a write (POST, PUT, PATCH,
DELETE), audits no success, and never answers 5xx.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.urls import Resolver404

from portal.models import AuditEvent
from portal.telnyx.client import TelnyxClient
from tests.security.crawl import crawl_with_caches
from tests.security.urlconf import IdPattern, add_history, id_patterns, real_values

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

HOSTILE = ("?", "%3F", "/", "%2F", "..", "%2e%2e", "#", "%23")
# Numbers of portal rows the demo seed has none of (their views 404 for both the real and the
# hostile id; what is tested is the id parameter beside them), and a moved page's rest of path.
FALLBACK = {"plan_id": 1, "action": "approve", "approval_id": 1, "config_id": 1, "rest": "templates/",
            "resource": "conversations"}  # a listing name (its sync page)
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Enough for every form the patterns' views might validate; harmless where nobody reads it.
POST_BODY = {"message": "hello", "confirm": "yes"}
# Run these last: their clean POST removes or ends the object the other patterns use.
ENDING = ("delete", "cancel", "disable", "restore", "promote", "rollback")
# Whole-list reads a view makes to look up a name the cache does not hold (a suite named in a
# bookmark: `testing.services.suites.suite_known`). No id is in their path, so no id steers them;
# the real ids are cached, so the clean requests never make them.
LOOKUPS = {("GET", "ai/assistants/tests/test-suites")}


@contextmanager
def telnyx_calls():
    """Collect (method, path) of every call the portal sends to Telnyx meanwhile."""
    calls: list[tuple[str, str]] = []
    original = TelnyxClient.request

    def recording(self, method, path, **kwargs):
        calls.append((method.upper(), path))
        return original(self, method, path, **kwargs)

    TelnyxClient.request = recording
    try:
        yield calls
    finally:
        TelnyxClient.request = original


def endpoints(calls, kwargs: dict) -> set[tuple[str, str]]:
    """Calls as (method, path template): a segment holding a URL argument becomes `{name}`."""
    segments = {quote(str(value), safe=""): "{%s}" % name for name, value in kwargs.items()}
    return {(method, "/".join(segments.get(part, part) for part in path.split("/"))) for method, path in calls}


def send(client, method: str, url: str):
    with telnyx_calls() as calls:
        response = client.post(url, POST_BODY) if method == "POST" else client.get(url)
    try:
        route, kwargs = response.resolver_match.route, dict(response.resolver_match.kwargs)
    except Resolver404:  # the resolver refused the URL: no view ran
        route, kwargs = None, {}
    return response, calls, route, kwargs


def hostile_urls(pattern: IdPattern, values: dict) -> list[str]:
    urls = []
    for param in pattern.params:
        real = quote(str(values[param]), safe="/:@+=")
        for token in HOSTILE:
            urls += [pattern.url(values, {param: token + real}), pattern.url(values, {param: real + token})]
    return urls


def test_hostile_ids_call_only_the_views_own_endpoints_and_write_nothing(sandbox, team_admin_client, operator_client):
    call_command("sandbox_seed", "--demo", verbosity=0)
    found: set[str] = set()
    crawl_with_caches(team_admin_client, found=found)
    add_history(team_admin_client, found)
    patterns = id_patterns()
    values = real_values(found, patterns, FALLBACK)
    assert len(patterns) >= 60
    assert not [p.route for p in patterns if p.route not in values], "no real id for these patterns"
    clients = {"Operator": operator_client, "Admin": team_admin_client}
    for client in clients.values():
        client.raise_request_exception = False  # a 500 is a finding to list, not the end of the run
    patterns.sort(key=lambda p: any(word in p.route for word in ENDING))

    allowed: dict[str, set] = defaultdict(set)  # route → endpoints its view calls for real ids
    for pattern in patterns:
        for client in clients.values():
            response, calls, route, kwargs = send(client, "GET", pattern.url(values[pattern.route]))
            allowed[pattern.route] |= endpoints(calls, kwargs)

    successes = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.SUCCESS).count()
    failures, sent = [], 0
    hostile_by_route = []
    sent_already = set()
    for pattern in patterns:
        for url in hostile_urls(pattern, values[pattern.route]):
            for role, client in clients.items():
                for method in ("GET", "POST"):
                    # A raw `#` ends the URL and a raw `?` starts its query, so many variants
                    # are one request (e.g. every assistant pattern with `#` before the id).
                    request = (role, method, url.split("#")[0])
                    if request in sent_already:
                        continue
                    sent_already.add(request)
                    response, calls, route, kwargs = send(client, method, url)
                    sent += 1
                    where = f"{role} {method} {url} → {response.status_code}"
                    if response.status_code >= 500:
                        failures.append(f"{where}: a 5xx")
                    written = sorted({call for call in calls if call[0] in WRITES})
                    if written:
                        failures.append(f"{where}: wrote {written}")
                    if route is not None:
                        hostile_by_route.append((where, method, role, route, pattern.route, endpoints(calls, kwargs)))
    audited = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.SUCCESS).order_by("pk")[successes:]
    failures += [f"audited success: {event}" for event in audited]

    # Now the clean POSTs (which may end objects, hence last) complete each view's allowed set.
    for pattern in patterns:
        for client in clients.values():
            response, calls, route, kwargs = send(client, "POST", pattern.url(values[pattern.route]))
            allowed[pattern.route] |= endpoints(calls, kwargs)
    for where, method, role, route, target, seen in hostile_by_route:
        if route not in allowed:  # `?` or `#` cut the id off: a page without ids (its writes checked above)
            continue
        stray = seen - allowed[route] - LOOKUPS
        if stray:
            failures.append(f"{where}: called {sorted(stray)}, not among {sorted(allowed[route])}")
    assert sent >= 1000
    assert not failures, f"{len(failures)} of {sent} hostile requests:\n" + "\n".join(failures[:80])
