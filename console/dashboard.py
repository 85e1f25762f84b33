"""What the dashboard shows, read from the cache only and aggregated in the database.

Every query here is bounded by a window (days) or a limit, not by the number of cached
rows: 100,000 conversations are counted by `GROUP BY day, assistant`, never loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from assistants.canary.rules import normalise_canary, referenced_versions
from assistants.models import Assistant, AssistantVersion, CanaryDeployCache
from conversations.models import Conversation
from core.charts import PALETTE, Chart, Point, line_chart, stacked_bar_chart
from portal.models import AuditEvent, SyncState
from inference.models import LanguageModel
from testing.models import AssistantTest, SuiteRun, TestRun

CHART_DAYS = 14
TOP_SERIES = 6  # more lines or stacks than this are unreadable; the rest is "Other"
TRAFFIC_DAYS = 7
RECENT = 8


def _short(version_id: str) -> str:
    return version_id[:8] if version_id else "main"


def version_names(version_ids: set[str]) -> dict[str, str]:
    """Version id → its name (or a short id), for the versions the caller shows."""
    named = dict(
        AssistantVersion.objects.filter(version_id__in=version_ids).exclude(name="").values_list("version_id", "name")
    )
    return {v: named.get(v) or _short(v) for v in version_ids}


def _top_with_other(totals: dict[str, int]) -> tuple[list[str], set[str]]:
    ranked = sorted(totals, key=lambda k: -totals[k])
    return ranked[:TOP_SERIES], set(ranked[TOP_SERIES:])


def conversations_per_day(*, by_version: bool = False, days: int = CHART_DAYS) -> Chart:
    """Conversations created per day, stacked per assistant (or per assistant and version)."""
    today = timezone.localdate()
    day_list = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    keys = ["assistant_id", "assistant_version_id"] if by_version else ["assistant_id"]
    # One COUNT per day over plain range comparisons: a date function per row (SQLite's is
    # Python) would cost more than the whole scan.
    bounds = [timezone.make_aware(datetime.combine(d, time.min)) for d in [*day_list, today + timedelta(days=1)]]
    per_day_counts = {
        f"d{i}": Count("created_at", filter=Q(created_at__gte=bounds[i], created_at__lt=bounds[i + 1])) for i in range(days)
    }
    rows = [
        {**{k: row[k] for k in keys}, "day": day_list[i], "n": row[f"d{i}"]}
        for row in Conversation.objects.filter(created_at__gte=bounds[0], created_at__lt=bounds[-1])
        .values(*keys).annotate(**per_day_counts).order_by()
        for i in range(days) if row[f"d{i}"]
    ]
    assistants = dict(Assistant.objects.values_list("telnyx_id", "name"))
    versions = version_names({r["assistant_version_id"] for r in rows}) if by_version else {}

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
    by_suite: dict[str, list[Point]] = {}
    for run in runs:
        if run.finished:
            by_suite.setdefault(run.suite, []).append(Point(
                run.started_at, run.pass_rate or 0.0, f"{run.passed}/{run.total} passed",
                reverse("testing:suite-run-detail", args=[run.suite, run.batch_id]),
            ))
    shown, _ = _top_with_other({k: len(v) for k, v in by_suite.items()})
    return line_chart("Suite pass rate per run", {k: by_suite[k] for k in sorted(shown, key=str.lower)})


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


def canary_statuses(*, days: int = TRAFFIC_DAYS) -> list[CanaryStatus]:
    """Per assistant: its latest canary config saved through the portal and its traffic split by version."""
    since = timezone.now() - timedelta(days=days)
    traffic_rows = list(
        Conversation.objects.filter(created_at__gte=since)
        .values("assistant_id", "assistant_version_id").annotate(n=Count("pk")).order_by()
    )
    # What Telnyx has (cached by every read and write of a canary, and by its sync): rules per assistant.
    read = {row.telnyx_id: (normalise_canary(row.payload) if row.exists else None, row.synced_at)
            for row in CanaryDeployCache.objects.all()}
    mentioned = {r["assistant_version_id"] for r in traffic_rows}
    for rules, _ in read.values():
        mentioned |= referenced_versions(rules or [])
    names = version_names(mentioned - {""})
    cached = set(AssistantVersion.objects.filter(version_id__in=mentioned - {""}).values_list("version_id", flat=True))
    names[""] = "main"
    by_assistant: dict[str, list[dict]] = {}
    for row in traffic_rows:
        by_assistant.setdefault(row["assistant_id"], []).append(row)
    statuses = []
    for assistant_id, name, main_version in Assistant.objects.order_by("name").values_list("telnyx_id", "name", "version_id"):
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
    runs = list(TestRun.objects.filter(status__in=("failed", "error")).order_by("-created_at", "-pk")[:limit])
    names = dict(AssistantTest.objects.filter(telnyx_id__in={r.test_id for r in runs}).values_list("telnyx_id", "name"))
    return [{"run": r, "test_name": names.get(r.test_id, r.test_id)} for r in runs]


def recent_failed_writes(limit: int = RECENT) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(outcome=AuditEvent.Outcome.FAILURE).order_by("-created_at")[:limit]


def cache_freshness(resources: list[str]) -> dict[str, SyncState]:
    """When each listing's cache was last synced (absent: never)."""
    return {s.resource: s for s in SyncState.objects.filter(resource__in=resources)}


def cached_counts() -> dict[str, int]:
    """How many of each the cache holds, for the dashboard's tiles."""
    return {"assistants": Assistant.objects.count(), "conversations": Conversation.objects.count(),
            "tests": AssistantTest.objects.count(), "models": LanguageModel.objects.count()}


def changes_since(since: datetime) -> tuple[int, int]:
    """Audited changes since `since`: all of them, and those Telnyx refused."""
    events = AuditEvent.objects.filter(created_at__gte=since)
    return events.count(), events.filter(outcome=AuditEvent.Outcome.FAILURE).count()
