"""Insight analytics, from the per-day rollup of the insight results (`InsightDay`) only: per
assistant, version and template, per day, with the structured fields' averages (scores) and
rates (pass/fail flags)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Iterable

from django.utils import timezone

from assistants.models import Assistant, AssistantVersion
from conversations.models import InsightDay
from core.charts import Chart, Point, line_chart

#: A field name usable in an ORM lookup (`values__<key>`).
FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


@dataclass
class ResultField:
    key: str
    kind: str  # "score" (numbers: averaged) or "flag" (true/false: rate of true)

    @property
    def label(self) -> str:
        return self.key.replace("_", " ").capitalize()


@dataclass
class Analytics:
    template_id: str
    since: date
    until: date
    total: int
    fields: list[ResultField]
    charts: list[tuple[str, Chart]] = field(default_factory=list)
    summary_head: list[str] = field(default_factory=list)
    summary_rows: list[list[str]] = field(default_factory=list)


def result_fields(days: list[dict]) -> list[ResultField]:
    """The numeric and true/false fields of the selected results (the newest day's kind wins)."""
    kinds: dict[str, str] = {}
    for row in sorted(days, key=lambda r: r["day"], reverse=True):
        for kind in ("flag", "score"):
            for key in (row["sums"] or {}).get(kind, {}):
                if key not in kinds and FIELD_NAME.match(key) and "__" not in key:
                    kinds[key] = kind
    return [ResultField(k, v) for k, v in sorted(kinds.items())]


def selected_days(*, template_id: str, assistant_id: str = "", version_id: str = "", since: date,
                  until: date) -> list[dict]:
    """The template's per-day rollup rows in the range (days × versions rows, not results)."""
    rows = InsightDay.objects.filter(template_id=template_id, day__gte=since, day__lte=until, n__gt=0)
    if assistant_id:
        rows = rows.filter(assistant_id=assistant_id)
    if version_id:
        rows = rows.filter(assistant_version_id=version_id)
    return list(rows.values("day", "assistant_id", "assistant_version_id", "n", "sums"))


def _combine(days: Iterable[dict], by: tuple[str, ...], fields: list[ResultField]) -> list[dict]:
    """Day rows merged by the `by` keys: the count, and per field (f0, f1…) the average or the rate
    (None where no result had the field), as the per-result AVG over the same results would give."""
    groups: dict[tuple, dict] = {}
    for row in days:
        group = groups.setdefault(tuple(row[k] for k in by), {**{k: row[k] for k in by}, "n": 0, "sums": {}})
        group["n"] += row["n"]
        for kind, per_key in (row["sums"] or {}).items():
            for key, (total, n) in per_key.items():
                got = group["sums"].setdefault((kind, key), [0.0, 0])
                got[0], got[1] = got[0] + total, got[1] + n
    combined = []
    for key in sorted(groups):
        group = groups[key]
        for i, f in enumerate(fields):
            total, n = group["sums"].get((f.kind, f.key), (0.0, 0))
            group[f"f{i}"] = total / n if n else None
        combined.append(group)
    return combined


def _labels(pairs) -> dict[tuple[str, str], str]:
    assistants = dict(Assistant.objects.filter(telnyx_id__in={a for a, _ in pairs}).values_list("telnyx_id", "name"))
    versions = dict(AssistantVersion.objects.filter(version_id__in={v for _, v in pairs}).exclude(name="")
                    .values_list("version_id", "name"))
    return {(a, v): f"{assistants.get(a) or a[:8] or 'No assistant'} · {versions.get(v) or v[:8] or 'unknown version'}"
            for a, v in pairs}


def _fmt(value, kind: str) -> str:
    if value is None:
        return "—"
    return f"{round(value * 100)}%" if kind == "flag" else f"{value:.2f}".rstrip("0").rstrip(".")


def insight_analytics(*, template_id: str, assistant_id: str = "", version_id: str = "", since: date,
                      until: date) -> Analytics:
    """Results of one template per day and per assistant version: how many, each score's average
    and each flag's rate, from the per-day rollup (`InsightDay`): a fixed number of queries over
    days × versions rows, whatever the number of results."""
    days = selected_days(template_id=template_id, assistant_id=assistant_id, version_id=version_id,
                         since=since, until=until)
    fields = result_fields(days)
    per_version = _combine(days, ("assistant_id", "assistant_version_id"), fields)
    # The lines: one per assistant, or per version once an assistant is chosen (a dozen lines are unreadable).
    by = ("assistant_id", "assistant_version_id") if assistant_id else ("assistant_id",)
    daily = _combine(days, ("day", *by), fields)
    labels = _labels({(r["assistant_id"], r["assistant_version_id"]) for r in per_version})
    names = {a: label.split(" · ")[0] for (a, _v), label in labels.items()}

    def line_name(r: dict) -> str:
        return labels[(r["assistant_id"], r["assistant_version_id"])] if assistant_id else names[r["assistant_id"]]
    analytics = Analytics(template_id=template_id, since=since, until=until, total=sum(r["n"] for r in per_version),
                          fields=fields)

    def series(key: str) -> dict[str, list[Point]]:
        lines: dict[str, list[Point]] = {}
        for r in daily:
            if r[key] is None:
                continue
            at = timezone.make_aware(datetime.combine(r["day"], time(12)))
            lines.setdefault(line_name(r), []).append(
                Point(at, float(r[key]), detail=f"{r['n']} result{'s' if r['n'] != 1 else ''}"))
        return lines

    analytics.charts.append(("Results per day", line_chart("Results per day", series("n"), percent=False, days=(since, until))))
    for i, f in enumerate(fields):
        title = f"{f.label}: {'share true' if f.kind == 'flag' else 'average'} per day"
        chart = line_chart(title, series(f"f{i}"), percent=f.kind == "flag", days=(since, until))
        analytics.charts.append((title, chart))
    analytics.summary_head = ["Assistant · version", "Results",
                              *(f"{f.label} ({'true' if f.kind == 'flag' else 'average'})" for f in fields)]
    analytics.summary_rows = [
        [labels[(r["assistant_id"], r["assistant_version_id"])], str(r["n"]),
         *(_fmt(r[f"f{i}"], f.kind) for i, f in enumerate(fields))]
        for r in per_version
    ]
    return analytics


def assistant_choices() -> list[tuple[str, str]]:
    ids = list(InsightDay.objects.exclude(assistant_id="").order_by().values_list("assistant_id", flat=True).distinct())
    names = dict(Assistant.objects.filter(telnyx_id__in=ids).values_list("telnyx_id", "name"))
    return sorted(((i, names.get(i) or i) for i in ids), key=lambda pair: pair[1].lower())


def version_choices(assistant_id: str = "") -> list[tuple[str, str]]:
    rows = InsightDay.objects.exclude(assistant_version_id="")
    if assistant_id:
        rows = rows.filter(assistant_id=assistant_id)
    ids = list(rows.order_by().values_list("assistant_version_id", flat=True).distinct())
    names = dict(AssistantVersion.objects.filter(version_id__in=ids).exclude(name="").values_list("version_id", "name"))
    return sorted(((i, names.get(i) or i) for i in ids), key=lambda pair: pair[1].lower())
