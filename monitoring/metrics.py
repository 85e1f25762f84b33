"""A rule's metric over its window, read from the cache only (no call to Telnyx).

Conversation metrics (volume, turns, duration, response latency, tool failures) come from the
per-hour sums kept beside the conversation cache (`conversations.models.ConversationHour`): the
window's whole hours are read from it (hours × versions rows) and only its two partial hours from
the conversations themselves, so an evaluation costs the same with 1,000 or 100,000 cached
conversations. Test traffic is left out. Turns, response latency and tool failures are known
once a conversation's transcript was read (its page, or the indexer on the worker, newest
first): their sample counts only those conversations. Insight scores and flag rates come from
the insight results store.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Sum

from conversations.models import Conversation, ConversationHour, InsightResult
from conversations.rollups import MEASURE_FIELDS, MEASURES, hour_of, measures_of
from monitoring.models import AlertRule

#: Insight results read at most per evaluation (the newest first).
MAX_RESULTS = 20_000
HOUR = timedelta(hours=1)
#: Conversation metrics: (sum, count) columns of ConversationHour, and the factor to the rule's unit.
CONVERSATION_METRICS = {
    AlertRule.Metric.TURNS: ("turns_sum", "turns_n", 1),
    AlertRule.Metric.DURATION: ("duration_sum", "duration_n", 1),
    AlertRule.Metric.RESPONSE_LATENCY: ("latency_sum", "latency_n", 0.001),  # ms kept, seconds shown
    AlertRule.Metric.TOOL_FAILURES: ("tool_failed_n", "tools_n", 1),
}


@dataclass
class Reading:
    value: float | None  # None: nothing to measure in the window
    sample: int  # conversations (or results) it stands on


def _scope(rows, rule: AlertRule):
    rows = rows.filter(assistant_id=rule.assistant_id, is_test=False)
    return rows.filter(assistant_version_id=rule.version_id) if rule.version_id else rows


def window_sums(rule: AlertRule, since: datetime, now: datetime) -> Counter:
    """The window's sums (`conversations.rollups.MEASURES`): whole hours from the rollup, the
    partial hours at either end from the conversations created in them."""
    first_whole = hour_of(since) + (HOUR if hour_of(since) < since else timedelta(0))
    last_whole = hour_of(now)  # the hour `now` is in is partial
    sums: Counter = Counter()
    edges = [(since, now)]
    if first_whole < last_whole:
        totals = _scope(ConversationHour.objects.filter(hour__gte=first_whole, hour__lt=last_whole), rule).aggregate(
            **{m: Sum(m) for m in MEASURES})
        sums.update({m: v for m, v in totals.items() if v})
        edges = [(since, first_whole), (last_whole, now)]
    for start, end in edges:
        if start < end:
            rows = _scope(Conversation.objects.filter(created_at__gte=start, created_at__lt=end), rule)
            for row in rows.values(*MEASURE_FIELDS).order_by():
                sums.update(measures_of(row))
    return sums


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
        n = window_sums(rule, since, now)["n"]
        return Reading(float(n), n)
    if rule.metric in CONVERSATION_METRICS:
        total, count, unit = CONVERSATION_METRICS[rule.metric]
        sums = window_sums(rule, since, now)
        return Reading(sums[total] * unit / sums[count] if sums[count] else None, sums[count])
    values = _insight_values(rule, since)
    if rule.metric == AlertRule.Metric.FLAG_RATE:
        flags = [v for v in values if isinstance(v, bool)]
        return Reading(sum(flags) / len(flags) if flags else None, len(flags))
    scores = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return Reading(sum(scores) / len(scores) if scores else None, len(scores))
