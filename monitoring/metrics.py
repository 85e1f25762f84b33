"""A rule's metric over its window, read from the cache only (no call to Telnyx): conversation
counts, turns and durations from the conversations cache (test traffic left out), insight
scores and flag rates from the insight results store.

Response latency and tool failures are not offered: neither is in what Telnyx lists for a
conversation nor in its insight results, so the cache cannot say them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count

from conversations.models import Conversation, InsightResult
from monitoring.models import AlertRule

#: Insight results read at most per evaluation (the newest first).
MAX_RESULTS = 20_000


@dataclass
class Reading:
    value: float | None  # None: nothing to measure in the window
    sample: int  # conversations (or results) it stands on


def _conversations(rule: AlertRule, since: datetime):
    rows = Conversation.objects.filter(assistant_id=rule.assistant_id, is_test=False, created_at__gte=since)
    return rows.filter(assistant_version_id=rule.version_id) if rule.version_id else rows


def _insight_values(rule: AlertRule, since: datetime) -> list:
    template_id, _, key = rule.insight_field.rpartition(":")
    rows = InsightResult.objects.filter(template_id=template_id, assistant_id=rule.assistant_id, occurred_at__gte=since)
    if rule.version_id:
        rows = rows.filter(assistant_version_id=rule.version_id)
    values = rows.order_by("-occurred_at").values_list("values", flat=True)[:MAX_RESULTS]
    return [v.get(key) for v in values if isinstance(v, dict) and key in v]


def measure(rule: AlertRule, now: datetime) -> Reading:
    since = now - timedelta(minutes=rule.window_minutes)
    if rule.metric == AlertRule.Metric.VOLUME:
        n = _conversations(rule, since).count()
        return Reading(float(n), n)
    if rule.metric in (AlertRule.Metric.TURNS, AlertRule.Metric.DURATION):
        column = "turns" if rule.metric == AlertRule.Metric.TURNS else "duration_seconds"
        row = _conversations(rule, since).filter(**{f"{column}__isnull": False}).aggregate(mean=Avg(column), n=Count("pk"))
        return Reading(row["mean"], row["n"])
    values = _insight_values(rule, since)
    if rule.metric == AlertRule.Metric.FLAG_RATE:
        flags = [v for v in values if isinstance(v, bool)]
        return Reading(sum(flags) / len(flags) if flags else None, len(flags))
    scores = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return Reading(sum(scores) / len(scores) if scores else None, len(scores))
