"""Testing reads, from the cache only: no HTTP here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from assistants.models import Assistant
from core.changelist import kept

from testing.models import FINAL_STATUSES, AssistantTest, SuiteRun, TestRun, TestSuite

TREND_RUNS = 30
MAIN = "main"  # the version filter's value for "the main version" (stored as "")


def test_queryset() -> QuerySet[AssistantTest]:
    return AssistantTest.objects.defer("payload")


RESOURCE = "assistant-tests"


def _suite_names() -> list[str]:
    names = set(TestSuite.objects.values_list("name", flat=True))
    # order_by(): Meta.ordering would otherwise join the DISTINCT and return every row.
    names |= set(AssistantTest.objects.exclude(test_suite="").order_by().values_list("test_suite", flat=True).distinct())
    return sorted(names, key=str.lower)


def suite_names() -> list[str]:
    """Suites Telnyx lists, plus any named on cached tests (a new suite shows before a refresh).

    Kept per generation of both tables: a suite sync or a test write changes the list."""
    generation = kept("test-suites", "suite-generation", lambda: TestSuite.objects.count(), TestSuite)
    return kept(RESOURCE, f"suite-names:{generation}", _suite_names, AssistantTest)


def suite_filter_choices() -> list[tuple[str, str]]:
    return [(n, n) for n in suite_names()]


def _destination_filter_choices() -> list[tuple[str, str]]:
    names = dict(Assistant.objects.values_list("telnyx_id", "name"))
    values = AssistantTest.objects.exclude(destination="").order_by().values_list("destination", flat=True).distinct()
    return sorted(((v, names.get(v, v)) for v in values), key=lambda c: c[1].lower())


def destination_filter_choices() -> list[tuple[str, str]]:
    return kept(RESOURCE, "destination-choices", _destination_filter_choices, AssistantTest)


def assistant_options() -> list[tuple[str, str]]:
    """(id, name) of cached assistants, for the destination picker."""
    return list(Assistant.objects.order_by("name").values_list("telnyx_id", "name"))


def assistant_names() -> dict[str, str]:
    return dict(Assistant.objects.values_list("telnyx_id", "name"))


def runs_for_test(test_id: str) -> QuerySet[TestRun]:
    return TestRun.objects.filter(test_id=test_id).order_by("-created_at", "-pk")


def suite_runs(suite_name: str) -> QuerySet[SuiteRun]:
    return SuiteRun.objects.filter(suite=suite_name)


def pass_rate(runs: list[SuiteRun]) -> float | None:
    """Test runs passed over test runs finished, across the given batches."""
    finished = sum(r.finished for r in runs)
    return sum(r.passed for r in runs) / finished if finished else None


def suite_test_runs(suite_name: str) -> QuerySet[TestRun]:
    """Cached runs of the suite's tests, newest first (single runs as well as suite runs)."""
    test_ids = AssistantTest.objects.filter(test_suite=suite_name).values_list("telnyx_id", flat=True)
    return TestRun.objects.filter(test_id__in=test_ids).order_by("-created_at", "-pk")


def test_run_pass_rate(runs: list[TestRun]) -> float | None:
    finished = [r for r in runs if r.is_final]
    return sum(r.status == "passed" for r in finished) / len(finished) if finished else None


@dataclass
class SuiteOverview:
    name: str
    test_count: int
    last_suite_run: SuiteRun | None
    last_test_run: TestRun | None
    pass_rate: float | None
    destination: str

    @property
    def last_run_at(self):
        """When anything in the suite last ran: a suite run, or a single test run."""
        times = [t for t in (getattr(self.last_suite_run, "started_at", None), getattr(self.last_test_run, "created_at", None)) if t]
        return max(times) if times else None

    @property
    def last_was_suite_run(self) -> bool:
        return self.last_suite_run is not None and self.last_run_at == self.last_suite_run.started_at


def _first_per(queryset: QuerySet, partition: str, order: list, limit: int = 1) -> QuerySet:
    """The first `limit` rows of each `partition` value, in one query (a window function)."""
    return queryset.annotate(rank=Window(RowNumber(), partition_by=[F(partition)], order_by=order)).filter(rank__lte=limit)


def suites_overview(names: list[str]) -> list[SuiteOverview]:
    """The overview rows of the given suites (one page) in a fixed number of queries."""
    tests = AssistantTest.objects.filter(test_suite__in=names).order_by()
    counts = dict(tests.values_list("test_suite").annotate(n=Count("pk")))
    destinations = dict(
        _first_per(tests.exclude(destination=""), "test_suite", [F("created_at").asc(), F("pk").asc()])
        .values_list("test_suite", "destination")
    )
    suite_of = Subquery(AssistantTest.objects.filter(telnyx_id=OuterRef("test_id")).values("test_suite")[:1])
    runs = TestRun.objects.filter(test_id__in=tests.values("telnyx_id")).annotate(suite=suite_of).order_by()
    newest = [F("created_at").desc(nulls_last=True), F("pk").desc()]
    last_runs = {r.suite: r for r in _first_per(runs, "suite", newest)}
    recent: dict[str, list[TestRun]] = {}
    for run in _first_per(runs.filter(status__in=FINAL_STATUSES), "suite", newest, TREND_RUNS).only("status", "test_id"):
        recent.setdefault(run.suite, []).append(run)
    last_batches = {r.suite: r for r in _first_per(SuiteRun.objects.filter(suite__in=names).order_by(), "suite",
                                                    [F("started_at").desc(), F("pk").desc()])}
    return [
        SuiteOverview(name=name, test_count=counts.get(name, 0), last_suite_run=last_batches.get(name),
                      last_test_run=last_runs.get(name), pass_rate=test_run_pass_rate(recent.get(name, [])),
                      destination=destinations.get(name, ""))
        for name in names
    ]


def suite_destination(suite_name: str) -> str:
    """The assistant the suite's tests call (the first test's destination)."""
    return (
        AssistantTest.objects.filter(test_suite=suite_name).exclude(destination="")
        .order_by("created_at", "pk").values_list("destination", flat=True).first() or ""
    )


def suite_tests(suite_name: str) -> QuerySet[AssistantTest]:
    return AssistantTest.objects.filter(test_suite=suite_name).order_by("name")


def pass_rate_by_version(suite_name: str) -> list[dict]:
    """Per assistant version tested: batches, and test runs passed over finished."""
    by_version: dict[str, list[SuiteRun]] = {}
    for run in suite_runs(suite_name).exclude(status="running"):
        by_version.setdefault(run.version_id, []).append(run)
    return [
        {"version_id": version, "batches": len(runs), "pass_rate": pass_rate(runs)}
        for version, runs in sorted(by_version.items(), key=lambda kv: -max(r.started_at.timestamp() for r in kv[1]))
    ]


def version_filter_choices(suite_name: str) -> list[tuple[str, str]]:
    versions = suite_runs(suite_name).exclude(version_id="").values_list("version_id", flat=True).distinct()
    return [(MAIN, "Main version"), *((v, v) for v in sorted(versions))]


@dataclass
class TrendChart:
    """An inline-SVG line chart of pass rate per batch, oldest left."""

    width: int
    height: int
    points: list[dict]
    polyline: str


def pass_rate_trend(suite_name: str, *, width: int = 640, height: int = 160, pad: int = 24) -> TrendChart:
    finished = [r for r in suite_runs(suite_name).exclude(status="running")[:TREND_RUNS] if r.finished]
    finished.reverse()
    step = (width - 2 * pad) / max(len(finished) - 1, 1)
    points = []
    for i, run in enumerate(finished):
        rate = run.pass_rate or 0.0
        points.append({
            "x": round(pad + i * step, 1) if len(finished) > 1 else width / 2,
            "y": round(height - pad - rate * (height - 2 * pad), 1),
            "rate": round(rate * 100),
            "run": run,
        })
    return TrendChart(width, height, points, " ".join(f"{p['x']},{p['y']}" for p in points))


def test_names() -> dict[str, str]:
    return dict(AssistantTest.objects.values_list("telnyx_id", "name"))


def suites_for_assistant(assistant_id: str) -> list[str]:
    """Suites that run against this assistant (their destination, see `suite_destination`)."""
    candidates = (
        AssistantTest.objects.filter(destination=assistant_id).exclude(test_suite="")
        .order_by("test_suite").values_list("test_suite", flat=True).distinct()
    )
    return [suite for suite in candidates if suite_destination(suite) == assistant_id]


def suite_runs_for_version(version_id: str, limit: int = 5) -> list[SuiteRun]:
    """The latest suite runs the portal started against one assistant version."""
    return list(SuiteRun.objects.filter(version_id=version_id)[:limit])
