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
"""

from __future__ import annotations

import sqlite3

from django.db import connection
from django.db.models import Q, QuerySet

from .models import SharedTool

#: Past this many matching ids, a search walks the list's order instead of reading them by key.
FEW = 2000
TRIGRAM_IDS = "SELECT rowid FROM shared_tools_search_trigram WHERE shared_tools_search_trigram MATCH %s LIMIT %s"


def substring(query: str) -> Q:
    """The reference: the name or the id holds `query`."""
    return Q(display_name__icontains=query) | Q(telnyx_id__icontains=query)


def _trigram_index(query: str) -> bool:
    return connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 34) and len(query) >= 3


def _matching_ids(query: str) -> list[int]:
    """Up to FEW + 1 ids of tools holding `query` (one query): the FTS5 trigram index on SQLite,
    the pg_trgm indexes on PostgreSQL (`icontains` is what they index), else a capped scan."""
    if _trigram_index(query):
        with connection.cursor() as cursor:
            cursor.execute(TRIGRAM_IDS, ['"' + query.replace('"', '""') + '"', FEW + 1])
            return [row[0] for row in cursor.fetchall()]
    return list(SharedTool.objects.order_by().filter(substring(query)).values_list("id", flat=True)[:FEW + 1])


def search(queryset: QuerySet, query: str) -> QuerySet:
    """`queryset` narrowed to the tools whose name or id holds `query`."""
    ids = _matching_ids(query)
    if len(ids) <= FEW:
        return queryset.filter(substring(query), id__in=ids)
    return queryset.filter(substring(query))
