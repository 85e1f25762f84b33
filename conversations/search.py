"""The call log's search as an OR of `telnyx_id IN (lookup)`, one per kind of match, each
lookup able to use its own index: the database builds each side's set once through its index
(a hashed subplan on PostgreSQL) and walks the list's order until a page (or the count's cap)
is full. One OR over the columns themselves kept the planner off every index. A UNION of the
sides was tried: quickest for a rare word, but a word in every transcript then joins and sorts
all 100,000 rows (0.6 s on PostgreSQL), where the hashed sets stop after a page.

The sides: name substring (a trigram GIN index on PostgreSQL when pg_trgm is there, migration
0010; a scan elsewhere), id prefix (an UPPER(telnyx_id) pattern index on PostgreSQL), a
caller-number prefix (its index) and transcript words (the full-text index); the version id
and the assistants whose name holds the query are plain conditions on each row.
"""

from __future__ import annotations

import re
import sqlite3

from django.db import connection
from django.db.models import BooleanField, CharField, F, Func, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.db.models.lookups import In

from .models import Conversation
from .transcripts import transcript_ids_sql

PHONE_PREFIX = re.compile(r"^\+?\d{3,}$")


def _caller_prefix(prefix: str) -> Q:
    # A range on SQLite (its LIKE skips the index); PostgreSQL's LIKE uses the column's pattern index.
    if connection.vendor == "sqlite":
        return Q(caller__gte=prefix, caller__lt=prefix + "\U0010ffff")
    return Q(caller__startswith=prefix)


def _walked(column: str):
    """`column`, kept off its index on SQLite (unary + is a no-op there, and disqualifies the
    index): an assistant holds many conversations, so the list's order is walked and each row
    tested, rather than all of them gathered through the index and sorted (0.37 s at 100,000)."""
    if connection.vendor == "sqlite":
        return Func(F(column), function="", template="+%(expressions)s", output_field=CharField())
    return F(column)


def _trigram_names() -> bool:
    return connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 34)


def _phrase(query: str) -> str:
    return '"' + query.replace('"', '""') + '"'


NAME_IDS = "SELECT rowid FROM conversations_name_trigram WHERE conversations_name_trigram MATCH %s"


def name_condition(query: str) -> Q:
    """Conversations whose name holds `query` (the top-bar search): on SQLite through the trigram
    index when the names holding it are few (a capped count, one query), else tested on each row
    the list's order walks, which stops at the first page; `icontains` elsewhere (pg_trgm's index
    or the walk, as the planner's statistics say)."""
    if _trigram_names() and len(query) >= 3:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({NAME_IDS} LIMIT {FEW + 1})", [_phrase(query)])
            if cursor.fetchone()[0] <= FEW:
                return Q(id__in=RawSQL(NAME_IDS, [_phrase(query)]))
    return Q(name__icontains=query)


def _name_side(rows: QuerySet, query: str) -> QuerySet:
    """Names holding `query`: on SQLite through the trigram index of migration 0012 (three
    characters or more: a trigram's length), elsewhere `icontains` (pg_trgm's index on PostgreSQL)."""
    if _trigram_names() and len(query) >= 3:
        # Capped as the probe is (past FEW it walks anyway): SQLite builds an IN's whole list
        # before the probe's LIMIT, 33,000 ids (19 ms) for a name a third of 100,000 hold.
        return rows.filter(id__in=RawSQL(f"{NAME_IDS} LIMIT {FEW + 1}", [_phrase(query)]))
    return rows.filter(name__icontains=query)


def _id_prefix_q(query: str) -> Q:
    if connection.vendor == "sqlite":  # a range on the LOWER(telnyx_id) index of migration 0012 (LIKE scans)
        return Q(telnyx_id_lower__gte=query.lower(), telnyx_id_lower__lt=query.lower() + "\U0010ffff")
    return Q(telnyx_id__istartswith=query)


def _id_prefix(rows: QuerySet, query: str) -> QuerySet:
    return rows.annotate(telnyx_id_lower=Lower("telnyx_id")).filter(_id_prefix_q(query))


def _caller_prefixes(query: str) -> list[str]:
    number = re.sub(r"[\s().-]", "", query)
    if not PHONE_PREFIX.match(number):
        return []
    return list(dict.fromkeys([number, number if number.startswith("+") else f"+{number}"]))


def search_sides(query: str) -> list[QuerySet]:
    """One queryset of matching `telnyx_id`s per kind of match that an index narrows (names,
    id prefix, caller prefix); transcript words apart."""
    rows = Conversation.objects.order_by()
    sides = [_name_side(rows, query), _id_prefix(rows, query)]
    sides += [rows.filter(_caller_prefix(prefix)) for prefix in _caller_prefixes(query)]
    return [side.values("telnyx_id") for side in sides]


#: Past this many ids from the index lookups, a search walks the list's order instead.
FEW = 1000


def _few_ids(query: str, words) -> list[str] | None:
    """The matching ids, from one UNION ALL of the index lookups, when they are few (one
    query, stopped at FEW + 1 ids): then the page reads those rows by their key and sorts
    them, never walking 100,000. None when there are many (a common word): then the list's order
    is walked and each row tested (on SQLite the full-text sides as correlated lookups of that
    row, which stop with the page; on PostgreSQL each side hashed once)."""
    version = Conversation.objects.order_by().filter(assistant_version_id=query).values("telnyx_id")
    parts = [side.query.sql_with_params() for side in [version, *search_sides(query)]]
    if words is not None:
        parts.append(words)
    sql = " UNION ALL ".join(f"SELECT * FROM ({part_sql}) AS side{n}" for n, (part_sql, _) in enumerate(parts))
    params = [p for _, part_params in parts for p in part_params]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT telnyx_id FROM ({sql}) AS sides LIMIT {FEW + 1}", params)
        ids = {row[0] for row in cursor.fetchall()}
    # The ids themselves, not the lookups again: the page and its count then read rows by their
    # unique key (a trigram lookup of a name everyone shares costs ~0.05 s each time on PostgreSQL).
    return None if len(ids) > FEW else sorted(ids)


def _walked_condition(query: str, words) -> Q:
    """Every side as a test of the row itself (many matches): its id and caller prefixes and its
    name by its columns, its
    words by a correlated full-text lookup of its one transcript. The walk stops with the page
    (or the count's cap), never gathering 100,000 ids first."""
    condition = Q(telnyx_id__istartswith=query)  # the row's own id: no index needed while walking
    for prefix in _caller_prefixes(query):
        condition |= _caller_prefix(prefix)
    # The name by its column: LIKE on the row in hand costs about a microsecond, a correlated
    # trigram lookup of that row ~140 µs (FTS5 opens the query again for each row: 0.43 s for
    # the 3,000 rows a capped count of a common name walks at 100,000).
    condition |= Q(name__icontains=query)
    if words is not None:
        condition |= Q(RawSQL(WORDS_OF_ROW[connection.vendor], words[1], output_field=BooleanField())) \
            if connection.vendor in WORDS_OF_ROW else Q(telnyx_id__in=RawSQL(*words))
    return condition


#: The row's transcript holds the words (a correlated lookup by its unique conversation id).
WORDS_OF_ROW = {
    "sqlite": "EXISTS (SELECT 1 FROM conversations_conversationtranscript t JOIN conversations_transcript_fts f "
              "ON f.rowid = t.id WHERE t.conversation_id = conversations_conversation.telnyx_id "
              "AND conversations_transcript_fts MATCH %s)",
    # A scalar subquery, not EXISTS: PostgreSQL turns an EXISTS into a hash of every matching
    # transcript (100,000 for a common word, 0.5 s) where this looks up one row per row walked (7 ms).
    "postgresql": "COALESCE((SELECT t.search_tsv @@ plainto_tsquery('simple', %s) FROM conversations_conversationtranscript t "
                  "WHERE t.conversation_id = conversations_conversation.telnyx_id), false)",
}


def search_condition(query: str, assistant_names: dict[str, str]) -> Q:
    """Conversations matching `query` by name, id or version id, assistant name, caller prefix
    or transcript words: any of them."""
    # The version id and the assistants are tested on each row the list's order walks: as
    # subqueries, an assistant holding every conversation would hash 100,000 ids first.
    condition = Q(assistant_version_id=query)
    ids = [i for i, name in assistant_names.items() if query.lower() in (name or "").lower()]
    if ids:
        condition |= Q(In(_walked("assistant_id"), ids))
    words = transcript_ids_sql(query)
    few = None if ids else _few_ids(query, words)
    if few is not None:  # the version id is one of its sides: the rows by their unique key, then sorted
        return Q(telnyx_id__in=few)
    return condition | _walked_condition(query, words)
