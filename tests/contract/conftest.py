"""Contract tests: the official telnyx SDK, with strict response validation, against the
sandbox served over real HTTP by pytest-django's live_server."""

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


def route_template(route: str) -> str:
    """'sandbox/v2/ai/assistants/<str:assistant_id>' or '/ai/assistants/{assistant_id}' → 'ai/assistants/{}'."""
    import re

    route = re.sub(r"<(?:\w+:)?\w+>", "{}", route)
    route = re.sub(r"\{\w+\}", "{}", route)
    return route.split("sandbox/v2/", 1)[-1].lstrip("/")
