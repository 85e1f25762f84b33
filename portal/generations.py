"""The cache generations (`CacheGeneration` rows) read once per request.

A page asks for table generations many times (the fragments' key, each kept filter choice, the
roles generation of the permission cache): one query per ask was a third of a changelist's first
view. Within a request (`GenerationsPerRequest`) the whole table (one row per table the portal keeps
things for: a few dozen) is read once, as one JSON column riding on the session's read
(`portal.read_ahead`), else by the first ask, and later asks are answered from it. A bump in
this process forgets what was read, so a page rendered after its own write keys on the new
generation; a bump by another process shows from the next request, as before. Outside a request
(workers, commands) every ask queries.
"""

from __future__ import annotations

import json
from contextvars import ContextVar

from django.db import connection
from django.db.models import F

from portal import read_ahead
from portal.models import CacheGeneration

_read: ContextVar[dict[str, int] | None] = ContextVar("cache_generations", default=None)
_LOADED = "\x00loaded"


def current(tables: list[str]) -> dict[str, int]:
    """{table: generation} for `tables` (absent before the table's first write)."""
    memo = _read.get()
    if memo is None:
        return dict(CacheGeneration.objects.filter(table__in=tables).values_list("table", "value"))
    if _LOADED not in memo:
        with connection.cursor() as cursor:  # written out: building the ORM query cost more than running it
            cursor.execute(f"SELECT {_quote('table')}, {_quote('value')} FROM {_quote(CacheGeneration._meta.db_table)}")
            memo.update(cursor.fetchall())
        memo[_LOADED] = 1
    return {t: memo[t] for t in tables if t in memo}


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


#: Every generation as one JSON object, per database vendor (a vendor not named here has none).
_AS_JSON = {
    "sqlite": "json_group_object({table}, {value})",
    "postgresql": "json_object_agg({table}, {value})::text",
}


def all_as_column() -> str | None:
    """SQL for a column holding every generation as one JSON object, for a query a request runs
    anyway (a list's sync state): `prime(that column's value)` then saves the request its own read."""
    shape = _AS_JSON.get(connection.vendor)
    if shape is None:
        return None
    return (f"(SELECT {shape.format(table=_quote('table'), value=_quote('value'))} "
            f"FROM {_quote(CacheGeneration._meta.db_table)})")


def prime(column: str | None) -> None:
    """This request's generations from an `all_as_column()` value, unless it read them already."""
    memo = _read.get()
    if memo is None or _LOADED in memo:
        return
    memo.update(json.loads(column) if column else {})
    memo[_LOADED] = 1


def bump(*names: str) -> None:
    """Move the generations `names` on by one (each row made on its first bump), and forget what
    this request read: whatever was kept under the old numbers is unseen from now on. One
    statement once the rows exist (a cache write bumps two: the table's and its WRITES')."""
    rows = CacheGeneration.objects.filter(table__in=names)
    if rows.update(value=F("value") + 1) < len(set(names)):
        missing = set(names) - set(rows.values_list("table", flat=True))
        CacheGeneration.objects.bulk_create([CacheGeneration(table=name) for name in sorted(missing)], ignore_conflicts=True)
        CacheGeneration.objects.filter(table__in=missing).update(value=F("value") + 1)  # also a row another writer made first
    forget()


def forget() -> None:
    """A generation moved in this process: the next ask reads the table again."""
    memo = _read.get()
    if memo is not None:
        memo.clear()


class GenerationsPerRequest:
    """Middleware: one read of the generations serves the whole request, and it rides on the
    session's read (`portal.read_ahead`): the login check's permissions need the roles generation."""

    def __init__(self, get_response):
        self.get_response = get_response

    def process_view(self, request, view_func, view_args, view_kwargs):
        column = all_as_column()
        if column is not None:
            read_ahead.want("generations", read_ahead.Join(columns=(column,), receive=lambda values: prime(values[0])))
        return None

    def __call__(self, request):
        token = _read.set({})
        try:
            return self.get_response(request)
        finally:
            _read.reset(token)
