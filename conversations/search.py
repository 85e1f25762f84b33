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

from django.db import connection
from django.db.models import CharField, F, Func, Q, QuerySet
from django.db.models.expressions import RawSQL
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


def search_sides(query: str) -> list[QuerySet]:
    """One queryset of matching `telnyx_id`s per kind of match that an index narrows (names,
    id prefix, caller prefix); transcript words apart."""
    rows = Conversation.objects.order_by()
    sides = [rows.filter(name__icontains=query), rows.filter(telnyx_id__istartswith=query)]
    number = re.sub(r"[\s().-]", "", query)
    if PHONE_PREFIX.match(number):
        for prefix in dict.fromkeys([number, number if number.startswith("+") else f"+{number}"]):
            sides.append(rows.filter(_caller_prefix(prefix)))
    return [side.values("telnyx_id") for side in sides]


def search_condition(query: str, assistant_names: dict[str, str]) -> Q:
    """Conversations matching `query` by name, id or version id, assistant name, caller prefix
    or transcript words: any of them."""
    # The version id and the assistants are tested on each row the list's order walks: as
    # subqueries, an assistant holding every conversation would hash 100,000 ids first.
    condition = Q(assistant_version_id=query)
    ids = [i for i, name in assistant_names.items() if query.lower() in (name or "").lower()]
    if ids:
        condition |= Q(In(_walked("assistant_id"), ids))
    for side in search_sides(query):
        condition |= Q(telnyx_id__in=side)
    words = transcript_ids_sql(query)
    return condition | Q(telnyx_id__in=RawSQL(*words)) if words is not None else condition
