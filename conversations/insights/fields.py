"""Structured insight fields on the conversations list: choose one as a column, filter on one.

A field is "<template id>:<key>" of the values kept at store time (`InsightResult.values`); the
list reads them with a subquery in its one list query, so its query count stays the same."""

from __future__ import annotations

import re

from django.db.models import Exists, JSONField, OuterRef, QuerySet, Subquery

from conversations.insights.sync import RESOURCE
from conversations.models import InsightDay, InsightResult, InsightTemplate
from core.changelist import kept

FIELD_SAMPLE = 300
MAX_FIELDS = 40
KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
COMPARISON = re.compile(r"^\s*(>=|<=|>|<|=)?\s*(-?\d+(?:\.\d+)?)\s*$")


def _fields() -> list[tuple[str, str, str]]:
    """(choice value, label, kind) for every scalar field seen in each template's latest results."""
    found = []
    for template_id, name in template_choices()[:50]:
        kinds: dict[str, str] = {}
        for values in (InsightResult.objects.filter(template_id=template_id).order_by("-occurred_at")
                       .values_list("values", flat=True)[:FIELD_SAMPLE]):
            for key, value in (values or {}).items():
                if key not in kinds and KEY.match(key) and "__" not in key:
                    kinds[key] = "flag" if isinstance(value, bool) else "score" if isinstance(value, (int, float)) else "text"
        found += [(f"{template_id}:{key}", f"{name} · {key.replace('_', ' ')}", kind) for key, kind in sorted(kinds.items())]
    return found[:MAX_FIELDS]


def template_label(names: dict[str, str], template_id: str) -> str:
    """A template's name, or a short id for one not in the templates cache (yet)."""
    return names.get(template_id) or f"Insight {template_id[:8]}"


def insight_fields() -> list[tuple[str, str, str]]:
    """The fields, kept until an insight result changes (or a few minutes)."""
    return kept(RESOURCE, "fields", _fields, InsightResult)


def template_choices() -> list[tuple[str, str]]:
    def compute():
        # One query over the per-day rollup (days × versions rows, not every result), named from the template cache.
        name = InsightTemplate.objects.filter(telnyx_id=OuterRef("template_id")).values("name")[:1]
        rows = (InsightDay.objects.exclude(template_id="").filter(n__gt=0).order_by().values("template_id").distinct()
                .annotate(name=Subquery(name)).values_list("template_id", "name"))
        return sorted(((i, n or template_label({}, i)) for i, n in rows), key=lambda pair: pair[1].lower())

    return kept(RESOURCE, "templates", compute, InsightResult)


def split(choice: str) -> tuple[str, str]:
    template_id, _, key = choice.rpartition(":")
    return template_id, key


def _results(template_id: str):
    return InsightResult.objects.filter(conversation_id=OuterRef("telnyx_id"), template_id=template_id)


def with_values(queryset: QuerySet, template_id: str, name: str = "insight_values") -> QuerySet:
    """Each conversation with `name`: that template's stored values (a dict), in the same query."""
    return queryset.annotate(**{name: Subquery(_results(template_id).values("values")[:1], output_field=JSONField())})


def with_result(queryset: QuerySet, template_id: str) -> QuerySet:
    return queryset.filter(Exists(_results(template_id)))


def value_lookup(key: str, kind: str, raw: str) -> dict | None:
    """The ORM lookup on `values` that `raw` asks for, or None if it does not fit the field's kind:
    flags take yes/no, scores a number with an optional >=, <=, >, < or =, text the exact value."""
    raw = raw.strip()
    if kind == "flag":
        answer = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}.get(raw.lower())
        return None if answer is None else {f"values__{key}": answer}
    if kind == "score":
        match = COMPARISON.match(raw)
        if not match:
            return None
        operator = {">=": "gte", "<=": "lte", ">": "gt", "<": "lt", "=": "exact", None: "exact"}[match.group(1)]
        return {f"values__{key}__{operator}": float(match.group(2))}
    return {f"values__{key}": raw} if raw else None


def with_value(queryset: QuerySet, template_id: str, lookup: dict) -> QuerySet:
    return queryset.filter(Exists(_results(template_id).filter(**lookup)))
