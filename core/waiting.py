"""Does the page being answered wait on a worker? Set while the view runs (a task it queued, a list
whose sync is queued or due, a suite run in progress, the tasks page with tasks queued) and read
by the worker banner (core.heartbeat, base.html): a page that waits on nothing never shows it.

Per request: `WaitingMiddleware` starts each request with nothing marked (a thread serves many)."""

from __future__ import annotations

from contextvars import ContextVar

_waits: ContextVar[bool] = ContextVar("page_waits_on_worker", default=False)


def mark() -> None:
    """The page being answered waits on background work."""
    _waits.set(True)


def marked() -> bool:
    return _waits.get()


def reset() -> None:
    _waits.set(False)


class WaitingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reset()
        try:
            return self.get_response(request)
        finally:
            reset()
