"""When to retry a Telnyx call and how long to wait: the official SDK's rules."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Mapping

INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
# A server-sent wait longer than this is not honoured; our backoff applies instead.
MAX_RETRY_AFTER = 60.0
RETRYABLE_STATUSES = frozenset({408, 409, 429})


def is_retryable_status(status: int, headers: Mapping[str, str]) -> bool:
    should = (headers.get("x-should-retry") or "").lower()
    if should == "true":
        return True
    if should == "false":
        return False
    return status in RETRYABLE_STATUSES or status >= 500


def is_idempotent(method: str, headers: Mapping[str, str]) -> bool:
    """GET/DELETE always; POST/PUT only when they carry an Idempotency-Key."""
    method = method.upper()
    if method in {"GET", "HEAD", "DELETE", "OPTIONS"}:
        return True
    return any(k.lower() == "idempotency-key" for k in headers)


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The server's requested wait, from `retry-after-ms` or `Retry-After`, if sane."""
    value = headers.get("retry-after-ms")
    if value:
        try:
            seconds = float(value) / 1000
        except ValueError:
            seconds = None
        if seconds is not None and 0 < seconds <= MAX_RETRY_AFTER:
            return seconds
    value = headers.get("retry-after")
    if value:
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = parsedate_to_datetime(value)
                seconds = (when - datetime.now(timezone.utc)).total_seconds()
            except (TypeError, ValueError):
                seconds = None
        if seconds is not None and 0 < seconds <= MAX_RETRY_AFTER:
            return seconds
    return None


def backoff_seconds(retries_taken: int, headers: Mapping[str, str] | None = None) -> float:
    """Wait before the next attempt: Retry-After if given, else jittered exponential."""
    if headers:
        requested = retry_after_seconds(headers)
        if requested is not None:
            return requested
    delay = min(INITIAL_RETRY_DELAY * (2**retries_taken), MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())
