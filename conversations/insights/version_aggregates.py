"""Per-version answers from Telnyx: how many insight results each version of an assistant has, and
their mean score, counted by Telnyx (`.../conversation-insights/aggregates`) over the window, so
"how does v7 do?" needs no conversation synced. What the aggregates cannot say (a template's
own fields, the time series) still comes from the store of synced results."""

from __future__ import annotations

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
