"""Simulated background work: how far along a task is, computed from the clock when read.

A task stores when it started and how long it takes (``settings.SANDBOX_ASYNC_SECONDS`` at
creation time, so changing the setting later does not rewrite history). Nothing runs in the
background; each domain maps the progress fraction onto its own status names.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from sandbox.api import now


def task_duration() -> float:
    """How long a task created now should take, in seconds."""
    return max(0.0, float(settings.SANDBOX_ASYNC_SECONDS))


def progress(started_at: datetime, duration_s: float, at: datetime | None = None) -> float:
    """Fraction of the work done, from 0.0 to 1.0 (1.0 at once when the duration is 0)."""
    if duration_s <= 0:
        return 1.0
    elapsed = ((at or now()) - started_at).total_seconds()
    return min(1.0, max(0.0, elapsed / duration_s))


def finished_at(started_at: datetime, duration_s: float) -> datetime:
    """When the work ends (or ended)."""
    return started_at + timedelta(seconds=duration_s)


def phase(started_at: datetime, duration_s: float, steps: list[tuple[float, str]], final: str) -> str:
    """The status for the current progress: ``steps`` are ``(upper bound, status)`` pairs in
    increasing order; at 1.0 the status is ``final``."""
    done = progress(started_at, duration_s)
    if done >= 1.0:
        return final
    for bound, status in steps:
        if done < bound:
            return status
    return steps[-1][1]
