"""The sandbox is no kinder than Telnyx: the key before anything else, faults validated (400,
never 500), a per-key rate limit with 429 and Retry-After, a latency profile, and webhooks only
to allowed URLs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
import redis
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from sandbox import dice, ratelimit
from sandbox.behaviour.webhook_targets import webhook_allowed


def test_without_the_key_no_fault_runs(anon_api):
    anon_api.get("/ai/assistants")  # the first request imports every view: not what is timed
    started = time.monotonic()
    response = anon_api.get("/ai/assistants", headers={"X-Sandbox-Fault": "latency=3000"})
    assert response.status_code == 401 and time.monotonic() - started < 1
    # Nor does a bad fault spec tell a stranger anything but "no key".
    assert anon_api.get("/ai/assistants", headers={"X-Sandbox-Fault": "status=99999"}).status_code == 401


@pytest.mark.parametrize("spec", ["status=99999", "status=200", "latency=-1", "latency=600000", "timeout=-2",
                                  "timeout=1e9", "rate=2", "rate=nan", "retry_after=-1", "status=abc"])
def test_a_fault_value_out_of_range_is_a_400(api, spec):
    response = api.get("/ai/assistants", headers={"X-Sandbox-Fault": spec})
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"]["parameter"] == "X-Sandbox-Fault"


@override_settings(SANDBOX_RATE_LIMIT="3/60")
def test_the_rate_limit_answers_429_with_retry_after_once_the_budget_is_spent(api):
    answers = [api.get("/ai/assistants") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0]["x-ratelimit-limit"] == "3" and answers[2]["x-ratelimit-remaining"] == "0"
    refused = answers[3]
    assert refused.json()["errors"][0]["code"] == "10011"
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Writes count too: the budget is per key, not per endpoint.
    assert api.post("/ai/assistants", {"name": "x", "model": "m", "instructions": "i"}).status_code == 429


@override_settings(SANDBOX_RATE_LIMIT="1/60")
def test_a_request_without_the_key_spends_no_budget(api, anon_api):
    assert anon_api.get("/ai/assistants").status_code == 401
    assert api.get("/ai/assistants").status_code == 200


def test_the_rate_limit_is_off_or_a_valid_budget():
    assert ratelimit.parse_budget("off") is None and ratelimit.parse_budget("") is None
    assert ratelimit.parse_budget("20/1") == ratelimit.Budget(20, 1)
    for bad in ("lots", "0/1", "5/0", "-3/1"):
        with pytest.raises(ImproperlyConfigured):
            ratelimit.parse_budget(bad)


@override_settings(SANDBOX_LATENCY="40/200")
def test_the_latency_profile_has_its_median_and_tail():
    dice.reset(11)
    draws = sorted(ratelimit.profile_delay_ms() for _ in range(4000))
    median, p95 = draws[len(draws) // 2], draws[int(len(draws) * 0.95)]
    # 4,000 draws: the sample median and p95 are within ~5 % / ~10 % of the profile's.
    assert 36 <= median <= 44 and 170 <= p95 <= 230
    assert max(draws) <= ratelimit.MAX_LATENCY_MS


@override_settings(SANDBOX_LATENCY="60/60")
def test_the_latency_profile_delays_every_answer(api):
    started = time.monotonic()
    assert api.get("/ai/assistants").status_code == 200
    assert time.monotonic() - started >= 0.06


@override_settings(SANDBOX_WEBHOOK_ALLOWED_URLS=[], PORTAL_BASE_URL="https://portal.example.com")
def test_by_default_webhooks_go_only_to_the_portal():
    assert webhook_allowed("https://portal.example.com/webhooks/telnyx/insights/")
    for url in ("http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:6379/", "https://evil.example/webhooks/",
                "https://portal.example.com/admin/", "https://portal.example.com:8443/webhooks/x",
                "http://portal.example.com/webhooks/x", "https://portal.example.com/webhooks/../admin/",
                "https://user:pw@portal.example.com/webhooks/x", "https://portal.example.com.evil.example/webhooks/"):
        assert not webhook_allowed(url), url


@override_settings(SANDBOX_WEBHOOK_ALLOWED_URLS=["https://hooks.example.com/telnyx/"])
def test_the_allow_list_setting_replaces_the_default():
    assert webhook_allowed("https://hooks.example.com/telnyx/qa")
    assert not webhook_allowed("https://hooks.example.com/other")


SPEND = """
import django, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
django.setup()
from django.test import override_settings
from sandbox import ratelimit
with override_settings(SANDBOX_RATE_LIMIT="10/60"):
    print(sum(ratelimit.check("the-shared-key-" + sys.argv[1]).allowed for _ in range(10)))
"""


def _two_processes_spend(redis_url: str, tag: str) -> list[int]:
    """Two web processes each asking for the whole budget of one key at once: how many each got."""
    env = {**os.environ, "REDIS_URL": redis_url, "TELNYX_API_KEY": "", "DATABASE_URL": "sqlite:///:memory:"}
    procs = [subprocess.Popen([sys.executable, "-c", SPEND, tag], cwd=settings.BASE_DIR, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-2000:] for _, err in outs]
    return [int(out.strip().splitlines()[-1]) for out, _ in outs]


def test_with_redis_two_web_processes_spend_one_budget_per_key():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        pytest.skip(f"Redis at {url} is not reachable")
    tag = uuid.uuid4().hex  # a key of its own: a rerun within the window starts from nothing
    assert sum(_two_processes_spend(url, tag)) == 10
    # Without Redis each process counts alone (the single-host default): the test above would see 20.
    assert _two_processes_spend("", tag) == [10, 10]
