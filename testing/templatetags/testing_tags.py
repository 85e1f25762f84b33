from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ names|get_item:id }}`: a dict lookup with a variable key."""
    return (mapping or {}).get(key)


@register.filter
def percent(rate) -> str:
    """0.8 → "80%"; None → "—"."""
    return "—" if rate is None else f"{round(rate * 100)}%"


@register.filter
def duration(seconds) -> str:
    """Seconds as "1m 05s" or "42s"; None (or a run not cached yet) → "—"."""
    if seconds is None or seconds == "":
        return "—"
    seconds = int(round(seconds))
    return f"{seconds // 60}m {seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


@register.inclusion_tag("testing/_status.html")
def run_status(status: str):
    return {"status": status or "pending"}


@register.filter
def first_with_reasoning(rubric) -> dict | None:
    """The first rubric result that carries the grader's reasoning, if any does."""
    return next((item for item in rubric or [] if item.get("reasoning")), None)


@register.filter
def iso_datetime(value):
    """An API timestamp string as a datetime, so `date`/`naturaltime` can format it."""
    from django.utils.dateparse import parse_datetime

    return parse_datetime(str(value)) if value else None


@register.filter
def has_unfinished(runs) -> bool:
    """True while any of these runs is still pending, starting or running."""
    return any(not run.is_final for run in runs or [])


@register.filter
def cron_words(expression: str) -> str:
    """"0 3 * * 1-5" → "At 03:00 AM, Monday through Friday" (cron-descriptor, beat's own dependency)."""
    from cron_descriptor import get_description

    try:
        return get_description(expression)
    except Exception:  # an expression it cannot phrase is still shown as typed
        return ""
