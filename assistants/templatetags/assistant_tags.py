from __future__ import annotations

from datetime import timezone

from django import template
from django.utils.dateparse import parse_datetime

register = template.Library()


@register.filter
def utc_minute(value) -> str:
    """An API timestamp ("2026-11-22T04:36:45.515289Z") as "2026-11-22 04:36 UTC"."""
    parsed = parse_datetime(str(value or "")) if value else None
    if parsed is None:
        return str(value or "—")
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc)
    return parsed.strftime("%Y-%m-%d %H:%M UTC")
