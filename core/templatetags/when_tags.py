"""One way to show a moment: "6 Dec 2026, 21:31 CET" in the reader's time zone (their
preference, activated by console.preferences.TimeZoneMiddleware), with UTC on hover, in a
<time> element machines can read. `{% load when_tags %}` then `{{ value|when }}`; inside an
attribute (a title over "3 minutes ago") use `{{ value|when_title }}`."""

from __future__ import annotations

from datetime import datetime
from datetime import timezone as dt_timezone

from django import template
from django.utils import timezone
from django.utils.html import format_html

from core.templatetags.portal_tags import as_datetime

register = template.Library()

SHOWN = "%-d %b %Y, %H:%M"


def _moment(value) -> datetime | None:
    moment = as_datetime(value)
    if moment is None:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt_timezone.utc)


def _local(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.strftime(SHOWN)} {local.tzname()}"


def _utc(moment: datetime) -> str:
    return moment.astimezone(dt_timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


@register.filter
def when(value, empty: str = "—") -> str:
    """The moment in the reader's zone with its zone named; UTC on hover."""
    moment = _moment(value)
    if moment is None:
        return empty
    return format_html('<time datetime="{}" title="{}">{}</time>', moment.astimezone(dt_timezone.utc).isoformat(),
                       _utc(moment), _local(moment))


@register.filter
def when_title(value) -> str:
    """For a title attribute: "6 Dec 2026, 21:31 CET (2026-12-06 20:31:00 UTC)"."""
    moment = _moment(value)
    return f"{_local(moment)} ({_utc(moment)})" if moment else ""
