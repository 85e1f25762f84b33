"""Insight analytics, from the store of insight results only: per assistant, version and template,
per day, with the structured fields' averages (scores) and rates (pass/fail flags)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Case, Count, FloatField, QuerySet, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from assistants.models import Assistant, AssistantVersion
from conversations.models import InsightResult
from core.charts import Chart, Point, line_chart

#: How many recent results say which fields a template's results have, and of which kind.
FIELD_SAMPLE = 500
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


def result_fields(rows: QuerySet[InsightResult]) -> list[ResultField]:
    """The numeric and true/false fields seen in the latest results (the kind first seen wins)."""
    kinds: dict[str, str] = {}
    for values in rows.order_by("-occurred_at").values_list("values", flat=True)[:FIELD_SAMPLE]:
        for key, value in (values or {}).items():
            if key in kinds or not FIELD_NAME.match(key) or "__" in key:
                continue
            if isinstance(value, bool):
                kinds[key] = "flag"
            elif isinstance(value, (int, float)):
                kinds[key] = "score"
    return [ResultField(k, v) for k, v in sorted(kinds.items())]


def _aggregates(fields: list[ResultField]) -> dict:
    aggregates = {"n": Count("pk")}
    for i, f in enumerate(fields):
        if f.kind == "score":
            aggregates[f"f{i}"] = Avg(Cast(KeyTextTransform(f.key, "values"), FloatField()))
        else:
            aggregates[f"f{i}"] = Avg(Case(When(**{f"values__{f.key}": True}, then=1.0),
                                           When(**{f"values__{f.key}": False}, then=0.0), output_field=FloatField()))
    return aggregates


def selected_results(*, template_id: str, assistant_id: str = "", version_id: str = "", since: date,
                     until: date) -> QuerySet[InsightResult]:
    start = timezone.make_aware(datetime.combine(since, time.min))
    end = timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min))
    rows = InsightResult.objects.filter(template_id=template_id, occurred_at__gte=start, occurred_at__lt=end)
    if assistant_id:
        rows = rows.filter(assistant_id=assistant_id)
    if version_id:
        rows = rows.filter(assistant_version_id=version_id)
    return rows


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
    and each flag's rate; a fixed number of queries (one per part), whatever the number of rows."""
    rows = selected_results(template_id=template_id, assistant_id=assistant_id, version_id=version_id,
                            since=since, until=until)
    fields = result_fields(rows)
    aggregates = _aggregates(fields)
    per_version = list(rows.values("assistant_id", "assistant_version_id").annotate(**aggregates)
                       .order_by("assistant_id", "assistant_version_id"))
    # The lines: one per assistant, or per version once an assistant is chosen (a dozen lines are unreadable).
    by = ["assistant_id", "assistant_version_id"] if assistant_id else ["assistant_id"]
    daily = list(rows.annotate(day=TruncDate("occurred_at")).values("day", *by).annotate(**aggregates).order_by("day"))
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

    analytics.charts.append(("Results per day", line_chart("Results per day", series("n"), percent=False)))
    for i, f in enumerate(fields):
        title = f"{f.label}: {'share true' if f.kind == 'flag' else 'average'} per day"
        chart = line_chart(title, series(f"f{i}"), percent=f.kind == "flag")
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
    ids = list(InsightResult.objects.exclude(assistant_id="").order_by().values_list("assistant_id", flat=True).distinct())
    names = dict(Assistant.objects.filter(telnyx_id__in=ids).values_list("telnyx_id", "name"))
    return sorted(((i, names.get(i) or i) for i in ids), key=lambda pair: pair[1].lower())


def version_choices(assistant_id: str = "") -> list[tuple[str, str]]:
    rows = InsightResult.objects.exclude(assistant_version_id="")
    if assistant_id:
        rows = rows.filter(assistant_id=assistant_id)
    ids = list(rows.order_by().values_list("assistant_version_id", flat=True).distinct())
    names = dict(AssistantVersion.objects.filter(version_id__in=ids).exclude(name="").values_list("version_id", "name"))
    return sorted(((i, names.get(i) or i) for i in ids), key=lambda pair: pair[1].lower())
