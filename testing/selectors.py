"""Testing reads, from the cache only: no HTTP here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from assistants.models import Assistant

from testing.models import FINAL_STATUSES, AlertDelivery, AssistantTest, SuiteRun, SuiteSchedule, TestRun, TestSuite

TREND_RUNS = 30
MAIN = "main"  # the version filter's value for "the main version" (stored as "")


def test_queryset() -> QuerySet[AssistantTest]:
    return AssistantTest.objects.defer("payload")


def suite_names() -> list[str]:
    """Suites Telnyx lists, plus any named on cached tests (a new suite shows before a refresh)."""
    names = set(TestSuite.objects.values_list("name", flat=True))
    names |= set(AssistantTest.objects.exclude(test_suite="").values_list("test_suite", flat=True))
    return sorted(names, key=str.lower)


def suite_filter_choices() -> list[tuple[str, str]]:
    return [(n, n) for n in suite_names()]


def destination_filter_choices() -> list[tuple[str, str]]:
    names = dict(Assistant.objects.values_list("telnyx_id", "name"))
    values = AssistantTest.objects.exclude(destination="").values_list("destination", flat=True).distinct()
    return sorted(((v, names.get(v, v)) for v in values), key=lambda c: c[1].lower())


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


def suites_overview() -> list[SuiteOverview]:
    counts = dict(AssistantTest.objects.exclude(test_suite="").values_list("test_suite").annotate(n=Count("pk")))
    overview = []
    for name in suite_names():
        recent = list(suite_test_runs(name).filter(status__in=FINAL_STATUSES)[:TREND_RUNS])
        overview.append(
            SuiteOverview(
                name=name,
                test_count=counts.get(name, 0),
                last_suite_run=suite_runs(name).first(),
                last_test_run=suite_test_runs(name).first(),
                pass_rate=test_run_pass_rate(recent),
                destination=suite_destination(name),
            )
        )
    return overview


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


def suite_schedules(suite_name: str):
    return SuiteSchedule.objects.filter(suite=suite_name).select_related("periodic_task", "owner")


def alert_deliveries(suite_name: str, limit: int = 10) -> list:
    """The suite's latest alert deliveries, newest first, with their run."""
    return list(AlertDelivery.objects.filter(suite_run__suite=suite_name).select_related("suite_run")[:limit])
