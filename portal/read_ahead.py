"""Reads a page asks for before its session is read, made in the session's own query.

Every signed-in request reads its session row first (the login check); a list page then read
its listing's sync state in a query of its own: a second round trip, about half of what a kept
list page cost over a bare view on PostgreSQL (bench/repeat_view.py). A view names what it will
read (`view.read_ahead(request)`, called by `ReadAheadMiddleware.process_view` before the login
check reads the session), each read a LEFT JOIN onto the session's row, and the database session
engines (`portal.session_engines`) make them one query with it.

Nothing here is needed for correctness: a read not made ahead (the session was read earlier, came
from the cache, or there is none) is made by its owner as before, when it asks (`taken`).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Callable

_pending: ContextVar[dict | None] = ContextVar("read_ahead_pending", default=None)
_done: ContextVar[dict | None] = ContextVar("read_ahead_done", default=None)


@dataclass(frozen=True)
class Join:
    """One read riding on the session's: its `columns` (SQL expressions; `%s` in them take
    `column_params`), from `LEFT JOIN {table} {alias} ON {on}` (`on_params`) when `table` is
    given, else scalar. `receive(values)` takes them as soon as they are read; without it they
    wait for their owner to ask (`taken`)."""

    columns: tuple[str, ...]
    column_params: tuple[Any, ...] = field(default=())
    table: str = ""
    alias: str = ""
    on: str = ""
    on_params: tuple[Any, ...] = field(default=())
    receive: Callable[[tuple], None] | None = field(default=None, compare=False)


def want(name: str, join: Join) -> None:
    """Ask for `join`'s columns with the session, under `name` (outside a request: nothing)."""
    pending = _pending.get()
    if pending is not None:
        pending[name] = join


def take_pending() -> dict[str, Join]:
    """The reads asked for and not made yet (the session engine makes them once)."""
    pending = _pending.get()
    if not pending:
        return {}
    found = dict(pending)
    pending.clear()
    return found


def made(name: str, join: Join, values: tuple) -> None:
    if join.receive is not None:
        join.receive(values)
        return
    done = _done.get()
    if done is not None:
        done[name] = values


def taken(name: str) -> tuple | None:
    """The values read ahead under `name` (once), or None: then the owner reads them itself."""
    done = _done.get()
    return done.pop(name, None) if done else None


class ReadAheadMiddleware:
    """Middleware: before any later middleware reads the session (the login check, in its
    `process_view`), the view says what it will read (`view.read_ahead(request)`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pending, done = _pending.set({}), _done.set({})
        try:
            return self.get_response(request)
        finally:
            _pending.reset(pending)
            _done.reset(done)

    def process_view(self, request, view_func, view_args, view_kwargs):
        ask = getattr(view_func, "read_ahead", None)
        if ask is not None and request.method == "GET":
            ask(request)
        return None
