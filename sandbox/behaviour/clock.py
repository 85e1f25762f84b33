"""Simulated asynchronous work without a worker: state follows the time since creation.

``SANDBOX_ASYNC_SECONDS`` is how long a job takes; 0 makes every job final at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from sandbox.api import now


def duration() -> timedelta:
    return timedelta(seconds=max(0.0, float(settings.SANDBOX_ASYNC_SECONDS)))


def progress(started_at: datetime, *, at: datetime | None = None) -> float:
    """How far along a job started at ``started_at`` is, from 0.0 to 1.0."""
    total = duration().total_seconds()
    if total == 0:
        return 1.0
    elapsed = ((at or now()) - started_at).total_seconds()
    return min(1.0, max(0.0, elapsed / total))


def finished_before(at: datetime | None = None) -> datetime:
    """Jobs created before this moment are final (for filtering in the database)."""
    return (at or now()) - duration()
