"""A per-key rate limit and an optional latency profile, so the sandbox is no kinder than Telnyx.

Telnyx limits most endpoints per API key and answers 429 with `Retry-After` and
`x-ratelimit-*` headers once a window's budget is spent. `SANDBOX_RATE_LIMIT` is
"<requests>/<seconds>" (empty or "off": no limit). With REDIS_URL the counters live in Redis
(INCR and EXPIRE in one MULTI, so every web process on every host spends one budget per key and
a window's counter always expires); without it, in Django's cache, which is then per process
(each of `WEB_WORKERS` processes allows the whole budget: the single-host default).

`SANDBOX_LATENCY` is "<median ms>/<p95 ms>": every answer waits a log-normal time with that
median and 95th percentile, drawn from the seeded dice (empty: no added latency).
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
from dataclasses import dataclass
from statistics import NormalDist

import redis  # the Celery broker's client: installed with the portal
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from sandbox import dice

OFF = ("", "0", "off", "none", "false")
# The longest wait the latency profile may add, whatever its tail draws.
MAX_LATENCY_MS = 30_000


@dataclass(frozen=True)
class Budget:
    requests: int
    seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int


def parse_budget(spec: str) -> Budget | None:
    """"100/1" → 100 requests a second; empty or "off" → None."""
    spec = (spec or "").strip().lower()
    if spec in OFF:
        return None
    count, _, seconds = spec.partition("/")
    try:
        budget = Budget(int(count), int(seconds or 1))
    except ValueError:
        raise ImproperlyConfigured(f"SANDBOX_RATE_LIMIT must be '<requests>/<seconds>', not {spec!r}") from None
    if budget.requests < 1 or budget.seconds < 1:
        raise ImproperlyConfigured("SANDBOX_RATE_LIMIT needs at least one request per at least one second")
    return budget


def check(api_key: str) -> Verdict | None:
    """Count one request for `api_key` in the current fixed window; None when no limit is set."""
    budget = parse_budget(settings.SANDBOX_RATE_LIMIT)
    if budget is None:
        return None
    now = time.time()
    window = int(now // budget.seconds)
    # The key itself never becomes a cache key: a digest of it does.
    name = f"sandbox-rate:{hashlib.sha256(api_key.encode()).hexdigest()[:16]}:{budget.seconds}:{window}"
    used = _count_shared(name, budget.seconds + 1) if settings.REDIS_URL else _count_local(name, budget.seconds + 1)
    reset = max(1, math.ceil((window + 1) * budget.seconds - now))
    return Verdict(allowed=used <= budget.requests, limit=budget.requests,
                   remaining=max(0, budget.requests - used), reset_seconds=reset)


def _count_local(name: str, ttl: int) -> int:
    cache.add(name, 0, timeout=ttl)
    try:
        return cache.incr(name)
    except ValueError:  # expired between add and incr: this request starts the window
        cache.add(name, 1, timeout=ttl)
        return 1


@functools.cache
def _redis(url: str):
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def _count_shared(name: str, ttl: int) -> int:
    """One atomic step in Redis: the window's count after this request. Redis unreachable: this
    process counts alone until it is back (a sandbox answering is worth more than a shared count)."""
    pipe = _redis(settings.REDIS_URL).pipeline(transaction=True)
    pipe.incr(name)
    pipe.expire(name, ttl)
    try:
        used, _ = pipe.execute()
    except redis.RedisError:
        return _count_local(name, ttl)
    return int(used)


def headers(verdict: Verdict) -> dict[str, str]:
    """Telnyx's rate-limit headers; a refused request also gets Retry-After."""
    values = {"x-ratelimit-limit": str(verdict.limit), "x-ratelimit-remaining": str(verdict.remaining),
              "x-ratelimit-reset": str(verdict.reset_seconds)}
    if not verdict.allowed:
        values["Retry-After"] = str(verdict.reset_seconds)
    return values


def parse_profile(spec: str) -> tuple[float, float] | None:
    """"120/600" → (median, p95) in ms; empty or "off" → None."""
    spec = (spec or "").strip().lower()
    if spec in OFF:
        return None
    median, _, p95 = spec.partition("/")
    try:
        values = float(median), float(p95 or median)
    except ValueError:
        raise ImproperlyConfigured(f"SANDBOX_LATENCY must be '<median ms>/<p95 ms>', not {spec!r}") from None
    if not 0 < values[0] <= values[1] <= MAX_LATENCY_MS:
        raise ImproperlyConfigured("SANDBOX_LATENCY needs 0 < median <= p95 <= 30000 ms")
    return values


def profile_delay_ms() -> float:
    """One draw from the latency profile (0 when none is set)."""
    profile = parse_profile(settings.SANDBOX_LATENCY)
    if profile is None:
        return 0.0
    median, p95 = profile
    sigma = math.log(p95 / median) / NormalDist().inv_cdf(0.95)
    u = min(max(dice.uniform("latency"), 1e-9), 1 - 1e-9)
    return min(MAX_LATENCY_MS, median * math.exp(sigma * NormalDist().inv_cdf(u)))
