"""The call log's search as one `telnyx_id IN (… UNION ALL …)` of lookups each able to use its
own index, rather than one OR across them (an OR with a name substring scans every row and
keeps the planner off every index).

The sides: name substring (a trigram GIN index on PostgreSQL when pg_trgm is there, migration
0008; a scan elsewhere), id prefix (an UPPER(telnyx_id) pattern index on PostgreSQL), the
version id, the assistants whose name holds the query, a caller-number prefix (its index) and
transcript words (the full-text index). The outer IN dedupes, so UNION ALL skips a sort.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from .models import Conversation
from .transcripts import transcript_ids_sql

PHONE_PREFIX = re.compile(r"^\+?\d{3,}$")


def _caller_prefix(prefix: str) -> Q:
    # A range on SQLite (its LIKE skips the index); PostgreSQL's LIKE uses the column's pattern index.
    if connection.vendor == "sqlite":
        return Q(caller__gte=prefix, caller__lt=prefix + "\U0010ffff")
    return Q(caller__startswith=prefix)


def search_sides(query: str, assistant_names: dict[str, str]) -> list[QuerySet]:
    """One queryset of matching `telnyx_id`s per kind of match (transcript words apart)."""
    rows = Conversation.objects.order_by()
    sides = [rows.filter(name__icontains=query), rows.filter(telnyx_id__istartswith=query),
             rows.filter(assistant_version_id=query)]
    ids = [i for i, name in assistant_names.items() if query.lower() in (name or "").lower()]
    if ids:
        sides.append(rows.filter(assistant_id__in=ids))
    number = re.sub(r"[\s().-]", "", query)
    if PHONE_PREFIX.match(number):
        for prefix in dict.fromkeys([number, number if number.startswith("+") else f"+{number}"]):
            sides.append(rows.filter(_caller_prefix(prefix)))
    return [side.values("telnyx_id") for side in sides]


def search_condition(query: str, assistant_names: dict[str, str]) -> Q:
    """Conversations matching `query` by name, id or version id, assistant name, caller prefix
    or transcript words: any of them."""
    parts = []
    for side in search_sides(query, assistant_names):
        sql, params = side.query.sql_with_params()
        parts.append((sql, list(params)))
    words = transcript_ids_sql(query)
    if words is not None:
        parts.append(words)
    sql = " UNION ALL ".join(s for s, _ in parts)
    return Q(telnyx_id__in=RawSQL(sql, [p for _, params in parts for p in params]))
