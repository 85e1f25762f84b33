"""The tool library's search: tools whose name or id holds the query (case-insensitive, as
`icontains`), through a trigram index where one serves (migration 0003: FTS5 on SQLite, pg_trgm
on PostgreSQL) instead of reading every name of a 100,000-tool library.

One probe reads the matching ids through the index, stopped at FEW + 1. Few: the page and its
count read those rows by their key and sort them, however large the library. Many (a word most
names hold): the list's order is walked and each row tested, which stops with the page (and the
count at the list's cap, "1,000+ results") — the matches are then dense. Either way the rows
are also tested by `icontains` itself, so the search finds exactly what the plain substring
match finds (the index only narrows: SQLite's trigram index folds case beyond ASCII, its LIKE
does not). A query under three characters (no trigram) probes by `icontains`, capped alike.

The probe's ids are exact (on SQLite the index's hits are tested by LIKE in the same query) and
kept per query until the table changes (`core.changelist.kept`), so with no filter the list's
count is the probe's, with no count query at any size: its ids, or "1,000+ results" past FEW,
where a capped count walked the name order (on SQLite two thirds of a 100,000-tool library for
a word the last names hold: 6–8 ms). With a type filter the count is a query (the kept, capped
count). With few matches and a type filter, SQLite is kept off the type's index (a unary +), so
the ids drive the read rather than every tool of the type. Many matches on PostgreSQL: see `search`.
"""

from __future__ import annotations

import sqlite3

from django.db import connection
from django.db.models import CharField, F, Func, Q, QuerySet

from core.changelist.kept import kept

from .models import SharedTool

#: Past this many matching ids, a search walks the list's order instead of reading them by key.
FEW = 1000  # as the call log's (`conversations.search.FEW`), and the list's count cap: past it, "1,000+"
#: The trigram index's hits that LIKE finds too (the index folds case beyond ASCII, LIKE does not).
TRIGRAM_IDS = ("SELECT t.id FROM shared_tools_search_trigram JOIN shared_tools_sharedtool t "
               "ON t.id = shared_tools_search_trigram.rowid WHERE shared_tools_search_trigram MATCH %s "
               "AND (t.display_name LIKE %s ESCAPE '\\' OR t.telnyx_id LIKE %s ESCAPE '\\') LIMIT %s")


def substring(query: str) -> Q:
    """The reference: the name or the id holds `query`."""
    return Q(display_name__icontains=query) | Q(telnyx_id__icontains=query)


def _trigram_index(query: str) -> bool:
    return connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 34) and len(query) >= 3


def _matching_ids(query: str) -> list[int]:
    """Up to FEW + 1 ids of the tools holding `query`, exactly those `icontains` finds (one query):
    the FTS5 trigram index on SQLite, the pg_trgm indexes on PostgreSQL, else a capped scan."""
    if _trigram_index(query):
        pattern = f"%{connection.ops.prep_for_like_query(query)}%"
        with connection.cursor() as cursor:
            cursor.execute(TRIGRAM_IDS, ['"' + query.replace('"', '""') + '"', pattern, pattern, FEW + 1])
            return [row[0] for row in cursor.fetchall()]
    # With a column no index holds (timeout_ms), read and dropped: the rows in the table's order or
    # through the trigram index, never an index-only walk of the type-and-name order, which puts
    # every tool of a word the last types' names hold last (23 ms for "refund" at 100,000, 3 ms).
    rows = SharedTool.objects.order_by().filter(substring(query)).values_list("id", "timeout_ms")[:FEW + 1]
    return [i for i, _ in rows]


def matching_ids(query: str) -> list[int]:
    """`_matching_ids`, kept until the table changes: the list's count asks again."""
    return kept("shared_tools", f"search-ids:{query}", lambda: _matching_ids(query), SharedTool)


def few(query: str) -> bool:
    return len(matching_ids(query)) <= FEW


def search(queryset: QuerySet, query: str, *, order: tuple[str, ...] = ("display_name", "pk"),
           rows: int | None = None) -> QuerySet:
    """`queryset` narrowed to the tools whose name or id holds `query`. Few: those ids, read by key.
    Many: the list's order walked. With `rows` (the most a page or the capped count can read), on
    PostgreSQL the first `rows` in the list's `order` are read by key, their ids from a walk of the
    covering name index testing the UPPER(...) it holds (index-only: 9 ms for two thirds of 100,000
    names), where the rows themselves were read and UPPER computed on each (52 ms)."""
    ids = matching_ids(query)
    if len(ids) <= FEW:
        return queryset.filter(substring(query), id__in=ids)
    matching = queryset.filter(substring(query))
    if connection.vendor == "postgresql" and rows is not None:
        return queryset.filter(pk__in=matching.order_by(*order).values("pk")[:rows])
    return matching


def of_type(queryset: QuerySet, kind: str, *, query: str) -> QuerySet:
    """The tools of type `kind`; beside a search with few matches, tested on each row on SQLite
    (unary + is a no-op there and keeps the planner off the type's index): the few ids are read
    by key instead of every tool of the type walked (16,667 of 100,000 in the bench)."""
    if connection.vendor == "sqlite" and query and few(query):
        unindexed = Func(F("type"), function="", template="+%(expressions)s", output_field=CharField())
        return queryset.alias(type_unindexed=unindexed).filter(type_unindexed=kind)
    return queryset.filter(type=kind)


def search_count(active: dict, query: str, *, cap: int) -> int | None:
    """A search's total with no filter, from the kept probe (no count query, at any size): its
    ids when they are all; past FEW (at least the list's `cap`), cap + 1: "cap+ results"."""
    if not query or active:
        return None
    ids = matching_ids(query)
    if len(ids) <= FEW:
        return len(ids)
    return cap + 1 if FEW >= cap else None
