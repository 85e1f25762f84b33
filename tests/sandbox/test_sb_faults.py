"""Fault injection by header and by setting, over real HTTP (requests + live_server)."""

import time

import pytest
import requests
from django.conf import settings

from sandbox import faults
from sandbox.faults import FaultSpecError, parse_fault


@pytest.fixture
def http(live_server, transactional_db):
    faults.reset_rng()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {settings.SANDBOX_API_KEY}"
    base = live_server.url + "/sandbox/v2"

    def get(path, fault=None, **kwargs):
        headers = {"X-Sandbox-Fault": fault} if fault else {}
        return session.get(base + path, headers=headers, timeout=kwargs.pop("timeout", 5), **kwargs)

    yield get
    session.close()


def test_parse_fault_accepts_both_separators():
    assert parse_fault("status=503;rate=0.3") == parse_fault("status=503,rate=0.3")
    assert parse_fault("status=429").retry_after == 1.0
    assert parse_fault("") is None
    with pytest.raises(FaultSpecError):
        parse_fault("explode=1")


def test_no_header_no_fault(http):
    assert http("/ai/assistants").status_code == 200


def test_status_fault_returns_envelope(http):
    response = http("/ai/assistants", fault="status=503")
    assert response.status_code == 503
    assert response.json()["errors"][0]["code"]
    assert response.headers["X-Request-Id"]


def test_429_carries_retry_after(http):
    response = http("/ai/assistants", fault="status=429;retry_after=2")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"


def test_latency_delays_response(http):
    started = time.monotonic()
    assert http("/ai/assistants", fault="latency=300").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_timeout_fault_makes_client_time_out(http):
    with pytest.raises(requests.exceptions.ReadTimeout):
        http("/ai/assistants", fault="timeout=0.8", timeout=0.2)
    # Let the server thread finish its sleep before the test database goes away.
    time.sleep(0.8)


def test_drop_breaks_the_connection(http):
    with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        http("/ai/assistants", fault="drop")
    # The server is still healthy afterwards.
    assert http("/ai/assistants").status_code == 200


def test_rate_is_reproducible_from_the_seed(http):
    def outcomes():
        faults.reset_rng(123)
        return [http("/ai/assistants", fault="status=500;rate=0.5").status_code for _ in range(20)]

    first = outcomes()
    assert first == outcomes()
    assert 500 in first and 200 in first


def test_global_setting_applies_without_header(http, settings):
    settings.SANDBOX_FAULTS = "status=502"
    assert http("/ai/assistants").status_code == 502
    settings.SANDBOX_FAULTS = ""
    assert http("/ai/assistants").status_code == 200


def test_bad_fault_header_is_400(http):
    response = http("/ai/assistants", fault="nonsense=1")
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"]["parameter"] == "X-Sandbox-Fault"
