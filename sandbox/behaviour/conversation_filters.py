"""PostgREST-style query filters for GET /ai/conversations.

Supported: ``field=op.value`` with op in eq, neq, gt, gte, lt, lte, like, ilike, in; fields
``id``, ``name``, ``created_at``, ``last_message_at`` and any ``metadata->key``;
``or=(field.op.value,...)``; ``order=field.asc|desc``; ``limit=N``.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sandbox.api import ApiError, parse_datetime_field

OPS = {"eq": "exact", "gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte", "in": "in",
       "like": "like", "ilike": "ilike", "neq": "neq"}
PLAIN_FIELDS = {"id": "id", "name": "name", "created_at": "created_at", "last_message_at": "last_message_at"}
# Metadata keys copied into indexed columns (fast filters on big benchmark tables).
INDEXED_METADATA = {"assistant_id": "assistant_id", "assistant_version_id": "assistant_version_id"}
ORDER_FIELDS = {"created_at", "last_message_at", "name", "id"}
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
RESERVED = {"limit", "order", "or", "offset"}


def _orm_field(field: str) -> str | None:
    if field in PLAIN_FIELDS:
        return PLAIN_FIELDS[field]
    if field.startswith("metadata->"):
        key = field[len("metadata->"):].strip()
        if not key or "__" in key:
            return None
        return INDEXED_METADATA.get(key, f"metadata__{key}")
    return None


def _value(field: str, raw: str, parameter: str):
    if field in ("created_at", "last_message_at"):
        return parse_datetime_field(raw, parameter)
    return raw


def _like_q(path: str, pattern: str, insensitive: bool) -> Q:
    pattern = pattern.replace("*", "%")
    core = pattern.strip("%")
    prefix = "i" if insensitive else ""
    if pattern.startswith("%") and pattern.endswith("%") and len(pattern) > 1:
        lookup = f"{prefix}contains"
    elif pattern.endswith("%"):
        lookup = f"{prefix}startswith"
    elif pattern.startswith("%"):
        lookup = f"{prefix}endswith"
    else:
        lookup = "iexact" if insensitive else "exact"
    return Q(**{f"{path}__{lookup}": core})


def condition(field: str, expression: str, parameter: str) -> Q:
    """One filter, e.g. field ``created_at`` and expression ``gte.2025-01-01``, as a Q."""
    path = _orm_field(field)
    op, _, raw = expression.partition(".")
    if path is None or op not in OPS or not _:
        raise ApiError(400, f"Unsupported filter {parameter}={expression}.", parameter=parameter)
    if op == "in":
        values = [v.strip().strip('"') for v in raw.strip("()").split(",") if v.strip()]
        return Q(**{f"{path}__in": [_value(field, v, parameter) for v in values]})
    if op in ("like", "ilike"):
        return _like_q(path, raw, op == "ilike")
    value = _value(field, raw, parameter)
    if op == "neq":
        return ~Q(**{path: value})
    return Q(**{f"{path}__{OPS[op]}": value})


def _or_condition(raw: str) -> Q:
    inner = raw.strip()
    if not (inner.startswith("(") and inner.endswith(")")):
        raise ApiError(400, "or= takes (field.op.value,...).", parameter="or")
    combined = Q()
    for part in inner[1:-1].split(","):
        part = part.strip()
        # The field may itself contain dots only in metadata keys; split on the op.
        for op in OPS:
            marker = f".{op}."
            if marker in part:
                field, _, value = part.partition(marker)
                combined |= condition(field, f"{op}.{value}", "or")
                break
        else:
            raise ApiError(400, f"Bad or= clause {part!r}.", parameter="or")
    return combined


def apply_filters(queryset: QuerySet, params) -> QuerySet:
    """Filter, order and limit conversations from the query parameters."""
    for field, values in params.lists():
        if field in RESERVED or field.startswith("page["):
            continue
        for expression in values:
            queryset = queryset.filter(condition(field, expression, field))
    if params.get("or"):
        queryset = queryset.filter(_or_condition(params["or"]))
    queryset = queryset.order_by(*_ordering(params.get("order", "created_at.desc")))
    return queryset[:_limit(params.get("limit"))]


def _ordering(raw: str) -> list[str]:
    ordering = []
    for part in raw.split(","):
        field, _, direction = part.strip().partition(".")
        if field not in ORDER_FIELDS or direction not in ("", "asc", "desc"):
            raise ApiError(400, f"Cannot order by {part!r}.", parameter="order")
        ordering.append(("-" if direction == "desc" else "") + field)
    ordering.append("-id" if ordering[0].startswith("-") else "id")
    return ordering


def _limit(raw) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 1 <= value <= MAX_LIMIT:
        raise ApiError(400, f"limit must be between 1 and {MAX_LIMIT}.", parameter="limit")
    return value
