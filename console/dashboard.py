"""What the dashboard shows, read from the cache only and aggregated in the database.

Every query here is bounded by a window (days) or a limit, not by the number of cached
rows: conversations are counted from `ConversationDay` (one row per day and assistant version,
kept at write time by `conversations.rollups`), never from the 100,000-row cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import timezone

from assistants.canary.rules import normalise_canary, referenced_versions
from assistants.models import Assistant, AssistantVersion, CanaryDeployCache
from conversations.models import ConversationDay
from core.charts import PALETTE, Chart, Point, line_chart, stacked_bar_chart
from inference.models import LanguageModel
from portal.models import AuditDay, AuditEvent
from testing.models import AssistantTest, SuiteRun, TestRun

CHART_DAYS = 14
TOP_SERIES = 6  # more lines or stacks than this are unreadable; the rest is "Other"
TRAFFIC_DAYS = 7
RECENT = 8


def _short(version_id: str) -> str:
    return version_id[:8] if version_id else "main"


def version_names(version_ids: set[str]) -> tuple[dict[str, str], set[str]]:
    """Version id → its name (or a short id), for the versions the caller shows; and which of
    them the versions cache holds at all (named or not), read in the same query."""
    found = dict(AssistantVersion.objects.filter(version_id__in=version_ids).values_list("version_id", "name"))
    return {v: found.get(v) or _short(v) for v in version_ids}, set(found)


def _top_with_other(totals: dict[str, int]) -> tuple[list[str], set[str]]:
    ranked = sorted(totals, key=lambda k: -totals[k])
    return ranked[:TOP_SERIES], set(ranked[TOP_SERIES:])


def assistant_rows() -> list[tuple[str, str, str]]:
    """(id, name, main version) of every cached assistant by name: read once, used by both charts."""
    return list(Assistant.objects.order_by("name").values_list("telnyx_id", "name", "version_id"))


def conversations_per_day(*, by_version: bool = False, days: int = CHART_DAYS, assistants=None) -> Chart:
    """Conversations created per day, stacked per assistant (or per assistant and version)."""
    today = timezone.localdate()
    day_list = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    keys = ["assistant_id", "assistant_version_id"] if by_version else ["assistant_id"]
    # From the per-day rollup kept at write time: days × versions rows, whatever the cache holds.
    rows = list(ConversationDay.objects.filter(day__gte=day_list[0], day__lte=today, n__gt=0, is_test=False)
                .values("day", *keys).annotate(n=Sum("n")).order_by())
    assistants = {a: name for a, name, _ in (assistant_rows() if assistants is None else assistants)}
    versions = version_names({r["assistant_version_id"] for r in rows})[0] if by_version else {}

    def label(row: dict) -> str:
        name = assistants.get(row["assistant_id"]) or row["assistant_id"][:8] or "No assistant"
        return f"{name} · {versions[row['assistant_version_id']]}" if by_version else name

    per_series: dict[str, dict[date, int]] = {}
    for row in rows:
        per_day = per_series.setdefault(label(row), {})
        per_day[row["day"]] = per_day.get(row["day"], 0) + row["n"]
    shown, rest = _top_with_other({k: sum(v.values()) for k, v in per_series.items()})
    counts = {k: per_series[k] for k in shown}
    if rest:
        other: dict[date, int] = {}
        for key in rest:
            for d, n in per_series[key].items():
                other[d] = other.get(d, 0) + n
        counts["Other"] = other
    return stacked_bar_chart("Conversations per day", day_list, counts)


def suite_pass_rates(*, days: int = 30, limit: int = 200) -> Chart:
    """Pass rate of each finished suite run over the last `days`, one line per suite."""
    since = timezone.now() - timedelta(days=days)
    runs = list(
        SuiteRun.objects.filter(started_at__gte=since).exclude(status="running")
        .only("suite", "batch_id", "started_at", "passed", "failed", "errored", "total", "version_id")
        .order_by("-started_at")[:limit]
    )
    finished = [run for run in runs if run.finished]
    counts: dict[str, int] = {}
    for run in finished:
        counts[run.suite] = counts.get(run.suite, 0) + 1
    shown, _ = _top_with_other(counts)
    # Points (a link each) only for the suites the chart draws: not one per run of up to `limit`
    # runs (200 at scale, mostly of suites the chart leaves out).
    by_suite: dict[str, list[Point]] = {name: [] for name in sorted(shown, key=str.lower)}
    for run in finished:
        if run.suite in by_suite:
            by_suite[run.suite].append(Point(
                run.started_at, run.pass_rate or 0.0, f"{run.passed}/{run.total} passed",
                reverse("testing:suite-run-detail", args=[run.suite, run.batch_id]),
            ))
    return line_chart("Suite pass rate per run", by_suite)


@dataclass
class Share:
    label: str
    percent: int
    count: int
    offset: int = 0  # where its segment starts on a 0–100 bar
    colour: str = ""


# No answer from Telnyx cached yet for this assistant's canary (the "canary_deploys" sync reads it).
NOT_READ = "not read from Telnyx yet"


@dataclass
class CanaryStatus:
    """One assistant: its canary as Telnyx last said (cached), and who served its traffic."""

    assistant_id: str
    name: str
    canary: str  # plain words: "20% to v2", "none", or NOT_READ
    canary_at: object  # when Telnyx said so
    traffic: list[Share]
    conversations: int
    # Some version it shows is not in the versions cache (its list was never opened), so it
    # is shown by a short id until the dashboard's refresh loads that assistant's versions.
    unnamed: bool = False


def _describe_rules(rules: list[dict], names: dict[str, str]) -> str:
    parts = []
    for rule in rules:
        serve = rule.get("serve") or {}
        if serve.get("rollout"):
            parts.extend(f"{w.get('weight', 0):g}% to {names.get(w.get('version_id', ''), _short(w.get('version_id', '')))}"
                         for w in serve["rollout"])
        elif serve.get("version_id"):
            where = " (matching rule)" if rule.get("match") else ""
            parts.append(f"all to {names.get(serve['version_id'], _short(serve['version_id']))}{where}")
    return ", ".join(parts) + ", rest to main" if parts else "none"


def canary_statuses(*, days: int = TRAFFIC_DAYS, assistants=None) -> list[CanaryStatus]:
    """Per assistant: its latest canary config saved through the portal and its traffic split by version."""
    # The last `days` calendar days (today included) from the per-day rollup.
    since = timezone.localdate() - timedelta(days=days - 1)
    traffic_rows = list(
        ConversationDay.objects.filter(day__gte=since, n__gt=0, is_test=False)
        .values("assistant_id", "assistant_version_id").annotate(n=Sum("n")).order_by()
    )
    # What Telnyx has (cached by every read and write of a canary, and by its sync): rules per assistant.
    read = {row.telnyx_id: (normalise_canary(row.payload) if row.exists else None, row.synced_at)
            for row in CanaryDeployCache.objects.all()}
    mentioned = {r["assistant_version_id"] for r in traffic_rows}
    for rules, _ in read.values():
        mentioned |= referenced_versions(rules or [])
    names, cached = version_names(mentioned - {""})  # names and which versions are cached, in one read
    names[""] = "main"
    by_assistant: dict[str, list[dict]] = {}
    for row in traffic_rows:
        by_assistant.setdefault(row["assistant_id"], []).append(row)
    statuses = []
    for assistant_id, name, main_version in (assistant_rows() if assistants is None else assistants):
        rows = by_assistant.get(assistant_id, [])
        total = sum(r["n"] for r in rows)
        traffic = [
            Share(names.get(r["assistant_version_id"], "main") + (" (main)" if r["assistant_version_id"] == main_version else ""),
                  round(100 * r["n"] / total), r["n"])
            for r in sorted(rows, key=lambda r: -r["n"])
        ]
        offset = 0
        for index, share in enumerate(traffic):
            share.offset, share.colour = offset, PALETTE[index % len(PALETTE)]
            offset += share.percent
        rules, read_at = read.get(assistant_id, (None, None))
        if read_at is None:
            canary = NOT_READ
        elif not rules:
            canary = "none: all traffic to main"
        else:
            canary = _describe_rules(rules, names)
        shown = {r["assistant_version_id"] for r in rows} | referenced_versions(rules or [])
        unnamed = bool(shown - cached - {""})
        statuses.append(CanaryStatus(assistant_id, name, canary, read_at, traffic, total, unnamed))
    return statuses


NAME_AT_ONCE = 5  # version lists one dashboard refresh loads at most (one Telnyx call pair each)


def assistants_to_name(canaries: list[CanaryStatus], *, stale) -> list[str]:
    """Assistants whose shown versions are unnamed and whose versions list is stale: the
    dashboard's refresh loads their versions so the bars say names, not ids."""
    return [c.assistant_id for c in canaries if c.unnamed and stale(c.assistant_id)][:NAME_AT_ONCE]


def recent_failed_runs(limit: int = RECENT) -> list[dict]:
    """The latest test runs that failed or errored, with their test's name."""
    name = AssistantTest.objects.filter(telnyx_id=OuterRef("test_id")).values("name")[:1]
    runs = TestRun.objects.filter(status__in=("failed", "error")).annotate(test_name=Subquery(name))
    return [{"run": r, "test_name": r.test_name or r.test_id} for r in runs.order_by("-created_at", "-pk")[:limit]]


def recent_failed_writes(limit: int = RECENT) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(outcome=AuditEvent.Outcome.FAILURE).order_by("-created_at")[:limit]


def _scalars(parts: dict[str, tuple[QuerySet, str]]) -> dict[str, int]:
    """Several counts or sums in one round trip: `SELECT (SELECT COUNT(*) FROM (…)), (…)`.
    Each part is a queryset of one column and what to take of it ("COUNT(*)" or "SUM(col)")."""
    selects, params = [], []
    for queryset, aggregate in parts.values():
        sql, part_params = queryset.query.sql_with_params()
        selects.append(f"(SELECT COALESCE({aggregate}, 0) FROM ({sql}) part)")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        return dict(zip(parts, (int(v) for v in cursor.fetchone())))


def tile_counts(since: datetime) -> dict[str, int]:
    """How many of each the cache holds (conversations summed from the per-day rollup, the
    table's COUNT being a scan), and the audited changes since `since` and those Telnyx refused
    (the whole local days after `since`'s from the per-day audit counts, the rest of its day from
    the events: exact, and never more than a day of events read), in one query."""
    first_day = timezone.localdate(since)
    next_midnight = timezone.make_aware(datetime.combine(first_day + timedelta(days=1), time.min))
    partial = AuditEvent.objects.filter(created_at__gte=since, created_at__lt=next_midnight).order_by()
    days = AuditDay.objects.filter(day__gt=first_day).order_by()
    failure = AuditEvent.Outcome.FAILURE
    counts = _scalars({
        "assistants": (Assistant.objects.order_by().values("pk"), "COUNT(*)"),
        "conversations": (ConversationDay.objects.filter(is_test=False).order_by().values("n"), "SUM(n)"),
        "tests": (AssistantTest.objects.order_by().values("pk"), "COUNT(*)"),
        "models": (LanguageModel.objects.order_by().values("pk"), "COUNT(*)"),
        "changes_days": (days.values("n"), "SUM(n)"),
        "changes_rest": (partial.values("pk"), "COUNT(*)"),
        "failures_days": (days.filter(outcome=failure).values("n"), "SUM(n)"),
        "failures_rest": (partial.filter(outcome=failure).values("pk"), "COUNT(*)"),
    })
    for name in ("changes", "failures"):
        counts[name] = counts.pop(f"{name}_days") + counts.pop(f"{name}_rest")
    return counts
