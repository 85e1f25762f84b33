"""Per-version answers from Telnyx: how many insight results each version of an assistant has, and
their mean score, counted by Telnyx (`.../conversation-insights/aggregates`) over the window, so
"how does v7 do?" needs no conversation synced. What the aggregates cannot say (a template's
own fields, the time series) still comes from the store of synced results."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from portal.telnyx import TelnyxError
from portal.telnyx.resources import insights as insights_api

VERSION = "metadata.assistant_version_id"


@dataclass
class VersionAggregate:
    version_id: str
    results: int
    scored: int
    mean_score: float | None


@dataclass
class VersionAnswer:
    rows: list[VersionAggregate]
    error: TelnyxError | None = None


def _window(since: date, until: date) -> list[str]:
    start = timezone.make_aware(datetime.combine(since, time.min))
    end = timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min))
    return [f"gte.{start.isoformat()}", f"lt.{end.isoformat()}"]


def versions_from_telnyx(*, assistant_id: str, template_id: str, since: date, until: date) -> VersionAnswer:
    """Each version's count and mean `score` (where the template scores) as Telnyx aggregates
    them; a Telnyx error is returned for the page to say, never raised."""
    try:
        rows = insights_api.aggregates(group_by=[VERSION, "score"], insight_id=template_id, assistant_id=assistant_id,
                                       created_at=_window(since, until))
    except TelnyxError as exc:
        return VersionAnswer(rows=[], error=exc)
    totals: dict[str, list[float]] = {}
    for row in rows:
        version, count = str(row.get(VERSION) or ""), int(row.get("record_count") or 0)
        entry = totals.setdefault(version, [0, 0, 0.0])
        entry[0] += count
        score = row.get("score")
        if isinstance(score, (int, float)) and not isinstance(score, bool):
            entry[1] += count
            entry[2] += float(score) * count
    return VersionAnswer(rows=[VersionAggregate(v, int(n), int(k), round(s / k, 3) if k else None)
                               for v, (n, k, s) in sorted(totals.items(), key=lambda item: -item[1][0])])


@dataclass
class FieldCounts:
    """One result field as Telnyx counts it since a time: per version, how many insight results
    had each value ({version: [(value, count)]}, pass/fail flags kept apart from 1.0 and 0.0),
    and how many insight templates gave the field a value (more than one: Telnyx counts each
    template's result, where the cache merges a conversation's results into one value)."""

    counts: dict[str, list[tuple[float | bool, int]]]
    templates: int


def _count(raw) -> int:
    try:
        return max(int(raw or 0), 0)
    except (TypeError, ValueError):
        return 0


def field_counts(*, assistant_id: str, field: str, since: datetime) -> FieldCounts:
    """`field`'s values per version over the assistant's insight results created since `since`,
    grouped by Telnyx (one aggregates call). Raises TelnyxError (a field Telnyx cannot group by
    is its 400)."""
    rows = insights_api.aggregates(group_by=[VERSION, "insight_id", field], assistant_id=assistant_id,
                                   created_at=[f"gte.{since.isoformat()}"])
    tallies: dict[str, dict[tuple[bool, float], int]] = {}
    templates: set[str] = set()
    for row in rows:
        value, n = row.get(field), _count(row.get("record_count"))
        if not isinstance(value, (bool, int, float)) or not n or not math.isfinite(float(value)):
            continue
        templates.add(str(row.get("insight_id") or ""))
        tally = tallies.setdefault(str(row.get(VERSION) or ""), {})
        key = (isinstance(value, bool), float(value))
        tally[key] = tally.get(key, 0) + n
    counts = {version: [(bool(x) if flag else x, n) for (flag, x), n in sorted(tally.items())]
              for version, tally in tallies.items()}
    return FieldCounts(counts=counts, templates=len(templates))
