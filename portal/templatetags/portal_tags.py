from __future__ import annotations

import json

from django import template
from django.urls import reverse

from core.changelist import remembered_query

register = template.Library()


@register.simple_tag(takes_context=True)
def changelist_url(context, url_name: str, remember_as: str = "") -> str:
    """The changelist's URL with the search, filters and page the user last had there."""
    request = context["request"]
    query = remembered_query(request, remember_as or url_name.split(":")[0])
    url = reverse(url_name)
    return f"{url}?{query}" if query else url


@register.filter
def pretty_json(value) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


@register.filter
def as_datetime(value):
    """An API timestamp (ISO 8601 string or Unix seconds) as an aware datetime, for |date."""
    from datetime import datetime, timezone

    from django.utils.dateparse import parse_datetime

    if isinstance(value, datetime):
        return value
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    if isinstance(value, str) and value:
        try:
            return parse_datetime(value)
        except ValueError:
            return None
    return None


@register.filter
def get_item(mapping, key):
    """`{{ names|get_item:c.assistant_id }}`: a dict lookup with a variable key."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def spaced(value) -> str:
    """'partial_success' → 'partial success', for API enum values shown to people."""
    return str(value or "").replace("_", " ")


AUDIT_VALUE_LIMIT = 200


@register.filter
def audit_value(value, full: bool = False) -> str:
    """A before/after value of an audit change as text: "—" for none, JSON for structures,
    cut to AUDIT_VALUE_LIMIT characters unless `full` (lists stay small; the entry's own page
    shows everything)."""
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if full or len(text) <= AUDIT_VALUE_LIMIT:
        return text
    return f"{text[:AUDIT_VALUE_LIMIT]}… ({len(text):,} characters)"
