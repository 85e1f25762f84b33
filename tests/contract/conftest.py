"""Contract tests: the official telnyx SDK, with strict response validation, against the
sandbox served over real HTTP by pytest-django's live_server."""

import json
import os
from pathlib import Path

import pytest
import telnyx
from django.conf import settings


@pytest.fixture(autouse=True)
def _instant_async(settings):
    settings.SANDBOX_ASYNC_SECONDS = 0
    settings.SANDBOX_FAULTS = ""


@pytest.fixture
def sdk(live_server, transactional_db):
    client = telnyx.Telnyx(api_key=settings.SANDBOX_API_KEY, base_url=live_server.url + "/sandbox/v2",
                           _strict_response_validation=True, max_retries=0)
    yield client
    # Keep-alive connections would hold live-server threads open past the test.
    client.close()


# --- Which seed endpoints the contract suite exercised ------------------------------------
# Every sandbox request made while the contract tests run is recorded as (METHOD, route
# template); test_zz_seed_endpoint_coverage.py then checks every seed endpoint was hit.
EXERCISED: set[tuple[str, str]] = set()


@pytest.fixture(autouse=True)
def _record_exercised_endpoints(monkeypatch):
    from sandbox import api

    original = api._handle

    def recording(request, view, allowed, args, kwargs):
        match = getattr(request, "resolver_match", None)
        # Only calls made by the official SDK count (its User-Agent is "Telnyx/Python x.y.z").
        if match is not None and request.headers.get("User-Agent", "").startswith("Telnyx/Python"):
            EXERCISED.add((request.method, route_template(match.route)))
        return original(request, view, allowed, args, kwargs)

    monkeypatch.setattr(api, "_handle", recording)


@pytest.fixture(scope="session", autouse=True)
def _leave_exercised_endpoints_for_the_final_check(request):
    """bin/test runs the suite in parallel processes, then test_zz_seed_endpoint_coverage.py alone:
    each process leaves the endpoints its contract tests drove, and which contract files it ran."""
    yield
    record_dir = os.environ.get("TEST_RECORD_DIR")
    if record_dir:
        ran = sorted({Path(str(item.fspath)).name for item in request.session.items
                      if Path(str(item.fspath)).parent == Path(__file__).parent})
        dump = {"exercised": sorted(EXERCISED), "ran": ran}
        (Path(record_dir) / f"exercised-{os.getpid()}.json").write_text(json.dumps(dump))


def exercised_elsewhere(record_dir: str | None) -> tuple[set[tuple[str, str]], set[str]]:
    """What the other processes of this run left: the endpoints driven and the contract files run."""
    exercised, ran = set(), set()
    for dump in sorted(Path(record_dir).glob("exercised-*.json")) if record_dir else []:
        data = json.loads(dump.read_text())
        exercised |= {tuple(pair) for pair in data["exercised"]}
        ran |= set(data["ran"])
    return exercised, ran


def route_template(route: str) -> str:
    """'sandbox/v2/ai/assistants/<str:assistant_id>' or '/ai/assistants/{assistant_id}' → 'ai/assistants/{}'."""
    import re

    route = re.sub(r"<(?:\w+:)?\w+>", "{}", route)
    route = re.sub(r"\{\w+\}", "{}", route)
    return route.split("sandbox/v2/", 1)[-1].lstrip("/")
