"""Counts kept beside the conversations and insight results, so the dashboard and analytics read
days × versions rows, not 100,000 conversations.

`ConversationDay` moves with every write to the conversation cache (`core.cache` calls the rollup
registered in `ConversationsConfig.ready`, in the write's transaction: a sync batch moves it by
the difference between the rows before and after). `InsightDay` moves with every stored result
(`insight_result_store`). Both count days in the portal's `TIME_ZONE`; after changing it, or after
loading rows around the write path (a bulk import, a test's `bulk_create`), `rebuild()` (`manage.py
rebuild_rollups`) recomputes them from the tables. `ConversationHour` (alert rules: volume, turns,
duration, response latency, tool failures per hour) moves the same way as `ConversationDay`.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from datetime import timezone as dt_timezone
from typing import Any, Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.cache import Rollup

from .models import Conversation, ConversationDay, ConversationHour, InsightDay, InsightResult

#: The day a conversation with no creation time counts on (a unique key cannot hold NULL).
UNDATED = date(1970, 1, 1)
UNDATED_HOUR = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)
VOLUME_FIELDS = ("created_at", "assistant_id", "assistant_version_id", "channel", "is_test")


def day_of(at: datetime | None) -> date:
    return timezone.localdate(at) if at else UNDATED


def volume_tally(rows: Iterable[dict]) -> Counter:
    counts: Counter = Counter()
    for row in rows:
        counts[(day_of(row.get("created_at")), row.get("assistant_id") or "", row.get("assistant_version_id") or "",
                row.get("channel") or "", bool(row.get("is_test")))] += 1
    return counts


def volume_apply(delta: Counter) -> None:
    """Add each key's change; missing rows are created at 0 first, so concurrent writers add, never overwrite."""
    changed = {key: n for key, n in delta.items() if n}
    if not changed:
        return
    ConversationDay.objects.bulk_create(
        [ConversationDay(day=d, assistant_id=a, assistant_version_id=v, channel=c, is_test=t) for d, a, v, c, t in changed],
        ignore_conflicts=True, batch_size=500)
    for (d, a, v, c, t), n in changed.items():
        ConversationDay.objects.filter(day=d, assistant_id=a, assistant_version_id=v, channel=c, is_test=t).update(n=F("n") + n)


VOLUME = Rollup(fields=VOLUME_FIELDS, tally=volume_tally, apply=volume_apply)


# --- Transcript measures per hour (alert rules) -----------------------------------------------
MEASURE_FIELDS = ("created_at", "assistant_id", "assistant_version_id", "is_test", "duration_seconds", "turns",
                  "response_latency_ms", "tool_calls", "tool_failures")
#: The sums ConversationHour keeps, each a column.
MEASURES = ("n", "duration_sum", "duration_n", "turns_sum", "turns_n", "latency_sum", "latency_n", "tools_n",
            "tool_failed_n")


def hour_of(at: datetime | None) -> datetime:
    return (at or UNDATED_HOUR).astimezone(dt_timezone.utc).replace(minute=0, second=0, microsecond=0)


def measures_of(row: dict) -> dict[str, int]:
    """One conversation's contribution to each sum."""
    out = {"n": 1}
    for column, name in (("duration_seconds", "duration"), ("turns", "turns"), ("response_latency_ms", "latency")):
        if row.get(column) is not None:
            out[f"{name}_sum"], out[f"{name}_n"] = int(row[column]), 1
    if row.get("tool_calls") is not None:
        out["tools_n"], out["tool_failed_n"] = 1, int(bool(row.get("tool_failures")))
    return out


def measure_tally(rows: Iterable[dict]) -> Counter:
    counts: Counter = Counter()
    for row in rows:
        key = (hour_of(row.get("created_at")), row.get("assistant_id") or "", row.get("assistant_version_id") or "",
               bool(row.get("is_test")))
        for measure, value in measures_of(row).items():
            counts[(*key, measure)] += value
    return counts


def measure_apply(delta: Counter) -> None:
    """Add each (hour, assistant, version, is_test)'s changes, creating missing rows at 0 first."""
    changed: dict[tuple, dict[str, int]] = {}
    for (*key, measure), value in delta.items():
        if value:
            changed.setdefault(tuple(key), {})[measure] = value
    if not changed:
        return
    ConversationHour.objects.bulk_create(
        [ConversationHour(hour=h, assistant_id=a, assistant_version_id=v, is_test=t) for h, a, v, t in changed],
        ignore_conflicts=True, batch_size=500)
    for (h, a, v, t), values in changed.items():
        ConversationHour.objects.filter(assistant_id=a, hour=h, assistant_version_id=v, is_test=t).update(
            **{measure: F(measure) + value for measure, value in values.items()})


MEASURE = Rollup(fields=MEASURE_FIELDS, tally=measure_tally, apply=measure_apply)


# --- Insight results per day -----------------------------------------------------------------
def field_kind(value: Any) -> str:
    """How analytics read a structured field: "flag" (true/false: a rate), "score" (a number: an average)."""
    if isinstance(value, bool):
        return "flag"
    if isinstance(value, (int, float)):
        return "score"
    return ""


def add_values(sums: dict, values: dict, sign: int) -> dict:
    """`sums` ({"score": {key: [sum, n]}, "flag": {key: [trues, n]}}) with `values` added (sign 1) or taken out (-1)."""
    for key, value in (values or {}).items():
        kind = field_kind(value)
        if not kind:
            continue
        total, n = sums.setdefault(kind, {}).get(key, [0.0, 0])
        total, n = total + sign * float(value), n + sign
        if n:
            sums[kind][key] = [total, n]
        else:
            sums[kind].pop(key, None)
    return sums


def insight_move(*, template_id: str, assistant_id: str, version_id: str, occurred_at: datetime, values: dict,
                 sign: int) -> None:
    """Count one result in (sign 1) or out (-1) of its day's row, under that row's lock."""
    with transaction.atomic():
        row, _ = InsightDay.objects.select_for_update().get_or_create(
            template_id=template_id, day=timezone.localdate(occurred_at), assistant_id=assistant_id or "",
            assistant_version_id=version_id or "")
        row.n += sign
        row.sums = add_values(row.sums or {}, values, sign)
        row.save(update_fields=["n", "sums"])


# --- Rebuilding from the tables ----------------------------------------------------------------
def rebuild_volume() -> int:
    counts = volume_tally(Conversation.objects.values(*VOLUME_FIELDS).order_by().iterator(chunk_size=5000))
    with transaction.atomic():
        ConversationDay.objects.all().delete()
        ConversationDay.objects.bulk_create(
            [ConversationDay(day=d, assistant_id=a, assistant_version_id=v, channel=c, is_test=t, n=n)
             for (d, a, v, c, t), n in counts.items()],
            batch_size=500)
    return len(counts)


def rebuild_insights() -> int:
    days: dict[tuple, InsightDay] = {}
    rows = InsightResult.objects.values_list("template_id", "occurred_at", "assistant_id", "assistant_version_id",
                                             "values").order_by().iterator(chunk_size=5000)
    for template_id, occurred_at, assistant_id, version_id, values in rows:
        key = (template_id, timezone.localdate(occurred_at), assistant_id, version_id)
        row = days.get(key) or days.setdefault(key, InsightDay(template_id=template_id, day=key[1], assistant_id=assistant_id,
                                                              assistant_version_id=version_id, sums={}))
        row.n += 1
        add_values(row.sums, values, 1)
    with transaction.atomic():
        InsightDay.objects.all().delete()
        InsightDay.objects.bulk_create(days.values(), batch_size=500)
    return len(days)


def rebuild_measures() -> int:
    counts = measure_tally(Conversation.objects.values(*MEASURE_FIELDS).order_by().iterator(chunk_size=5000))
    hours: dict[tuple, ConversationHour] = {}
    for (h, a, v, t, measure), value in counts.items():
        row = hours.get((h, a, v, t)) or hours.setdefault(
            (h, a, v, t), ConversationHour(hour=h, assistant_id=a, assistant_version_id=v, is_test=t))
        setattr(row, measure, value)
    with transaction.atomic():
        ConversationHour.objects.all().delete()
        ConversationHour.objects.bulk_create(hours.values(), batch_size=500)
    return len(hours)


def rebuild() -> tuple[int, int, int]:
    """Recompute the rollups from the conversation cache and the insight store; (volume rows, insight
    rows, measure-hour rows)."""
    return rebuild_volume(), rebuild_insights(), rebuild_measures()
