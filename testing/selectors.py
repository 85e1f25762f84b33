"""Testing reads, from the cache only: no HTTP here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from assistants.models import Assistant, AssistantVersion
from core.changelist import kept
from core.charts import Chart, Point, line_chart
from testing.models import FINAL_STATUSES, AlertDelivery, AssistantTest, RunTrigger, SuiteRun, SuiteSchedule, TestOrigin, TestRun, TestSuite
from testing.results import records_for, with_records

TREND_RUNS = 30
MAIN = "main"  # the version filter's value for "the main version" (stored as "")


def test_queryset() -> QuerySet[AssistantTest]:
    """The tests changelist's rows, each with its recent record (one query per page)."""
    return with_records(AssistantTest.objects.defer("payload"))


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


def batch_test_runs(batches: QuerySet[SuiteRun]) -> QuerySet[TestRun]:
    """The test runs of the given suite runs, with their batch's start and version and their test's
    name as columns (one query, for the history's CSV export), newest batch first."""
    batch = SuiteRun.objects.filter(batch_id=OuterRef("suite_run_id"))
    return (TestRun.objects.filter(suite_run_id__in=batches.order_by().values("batch_id"))
            .annotate(batch_started=Subquery(batch.values("started_at")[:1]),
                      batch_version=Subquery(batch.values("version_id")[:1]),
                      test_name=Subquery(AssistantTest.objects.filter(telnyx_id=OuterRef("test_id")).values("name")[:1]))
            .order_by("-batch_started", "-created_at", "-pk"))


def pass_rate(runs: list[SuiteRun]) -> float | None:
    """Test runs passed over test runs finished, across the given batches."""
    finished = sum(r.finished for r in runs)
    return sum(r.passed for r in runs) / finished if finished else None


def suite_test_runs(suite_name: str) -> QuerySet[TestRun]:
    """Cached runs of the suite's tests, newest first (single runs as well as suite runs)."""
    test_ids = AssistantTest.objects.filter(test_suite=suite_name).values_list("telnyx_id", flat=True)
    return TestRun.objects.filter(test_id__in=test_ids).order_by("-created_at", "-pk")


def recent_suite_test_runs(suite_name: str, limit: int = 10) -> list[TestRun]:
    """The suite's newest cached test runs, each with `started_by`: the portal user who started it
    (`triggered_by`'s answer), or None; one query."""
    who = RunTrigger.objects.filter(run_id=OuterRef("telnyx_id")).values("username")[:1]
    return list(suite_test_runs(suite_name).annotate(started_by=Subquery(who))[:limit])


@dataclass
class SuiteOverview:
    name: str
    test_count: int
    last_suite_run: SuiteRun | None
    last_test_run: TestRun | None
    pass_rate: float | None
    destination: str
    flaky: int = 0  # tests whose result keeps changing (testing.results)

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
    # One read of the page's tests (ids, suite, assistant; the first one's assistant is the suite's):
    # what the counts, the destinations and the flaky counts below need.
    suite_of_test: dict[str, str] = {}
    destination_of_test: dict[str, str] = {}
    counts: dict[str, int] = {}
    destinations: dict[str, str] = {}
    for test_id, suite, destination in tests.order_by("created_at", "pk").values_list("telnyx_id", "test_suite", "destination"):
        suite_of_test[test_id], destination_of_test[test_id] = suite, destination
        counts[suite] = counts.get(suite, 0) + 1
        if destination:
            destinations.setdefault(suite, destination)
    suite_of = Subquery(AssistantTest.objects.filter(telnyx_id=OuterRef("test_id")).values("test_suite")[:1])
    runs = TestRun.objects.filter(test_id__in=tests.values("telnyx_id")).annotate(suite=suite_of).order_by()
    newest = [F("created_at").desc(nulls_last=True), F("pk").desc()]
    last_runs = {r.suite: r for r in _first_per(runs, "suite", newest)}
    batches = SuiteRun.objects.filter(suite__in=names).order_by()
    batch_order = [F("started_at").desc(), F("pk").desc()]
    last_batches = {r.suite: r for r in _first_per(batches, "suite", batch_order)}
    # The same batches finished_suite_runs() counts for the suite page: one pass rate everywhere.
    recent: dict[str, list[SuiteRun]] = {}
    for batch in _first_per(batches.exclude(status="running"), "suite", batch_order, TREND_RUNS):
        if batch.finished:
            recent.setdefault(batch.suite, []).append(batch)
    flaky: dict[str, int] = {}
    for test_id, record in records_for(suite_of_test, destination_of_test).items():
        if record.flaky:
            flaky[suite_of_test[test_id]] = flaky.get(suite_of_test[test_id], 0) + 1
    return [
        SuiteOverview(name=name, test_count=counts.get(name, 0), last_suite_run=last_batches.get(name),
                      last_test_run=last_runs.get(name), pass_rate=pass_rate(recent.get(name, [])),
                      destination=destinations.get(name, ""), flaky=flaky.get(name, 0))
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


def finished_suite_runs(suite_name: str) -> list[SuiteRun]:
    """The suite's last TREND_RUNS batches with at least one finished test run, newest first:
    what the suites list's pass rate, the trend chart and "pass rate by version" all count."""
    return [r for r in suite_runs(suite_name).exclude(status="running")[:TREND_RUNS] if r.finished]


def suite_pass_rate(suite_name: str) -> float | None:
    """The suite's pass rate, the one number shown for it on the suites list and its own page."""
    return pass_rate(finished_suite_runs(suite_name))


@dataclass
class SuiteHead:
    """What the suite page reads of the suite's tests, in one query (`suite_head`)."""

    destinations: list[str]  # every assistant the tests call, the first test's first
    total: int  # how many tests
    names: dict[str, str]  # {test id: name}
    destination_of: dict[str, str]  # {test id: the assistant it calls}
    assistant_names: dict[str, str]  # {assistant id: its name} of the cached ones it calls


def suite_head(suite_name: str) -> SuiteHead:
    """The suite's tests' ids, names and assistants with the assistants' names (one query; a
    suite holds tens of tests): the page head, the recent runs' test names, the Run suite form
    and the pass rate by version all read them."""
    name = Assistant.objects.filter(telnyx_id=OuterRef("destination")).values("name")[:1]
    rows = list(AssistantTest.objects.filter(test_suite=suite_name).order_by("created_at", "pk")
                .annotate(assistant_name=Subquery(name)).values_list("telnyx_id", "name", "destination", "assistant_name"))
    return SuiteHead(destinations=list(dict.fromkeys(d for _, _, d, _ in rows if d)), total=len(rows),
                     names={t: n for t, n, _, _ in rows}, destination_of={t: d for t, _, d, _ in rows},
                     assistant_names={d: a for _, _, d, a in rows if d and a is not None})


def pass_rate_by_version(suite_name: str, *, finished: list[SuiteRun] | None = None, head: SuiteHead | None = None,
                         names: dict[str, str] | None = None, versions: dict[str, str] | None = None) -> list[dict]:
    """Per assistant and version tested, newest first: batches, and test runs passed over finished.

    A batch that ran each assistant on its own version counts each test's run under its own
    assistant and version; any other batch counts under the suite's assistant. `finished`,
    `head`, `names` (assistants') and `versions` (names): what the caller read already.
    """
    batches = finished_suite_runs(suite_name) if finished is None else finished
    head = suite_head(suite_name) if head is None else head
    destination = head.destination_of
    suite_assistant = head.destinations[0] if head.destinations else ""
    runs = {r.telnyx_id: r for r in TestRun.objects.filter(telnyx_id__in=[i for b in batches for i in b.run_ids])}
    groups: dict[tuple[str, str], dict] = {}
    for batch in batches:
        for run_id in batch.run_ids:
            run = runs.get(run_id)
            if run is None or not run.is_final:
                continue
            if batch.versions:
                assistant = destination.get(run.test_id, "")
                version = batch.versions.get(assistant, "")
            else:  # one version for the whole batch, on the suite's assistant
                assistant, version = suite_assistant, batch.version_id
            group = groups.setdefault((assistant, version), {"batches": set(), "passed": 0, "finished": 0})
            group["batches"].add(batch.pk)
            group["passed"] += run.status == "passed"
            group["finished"] += 1
    names = assistant_names() if names is None else names
    versions = version_names(v for _, v in groups) if versions is None else versions
    return [
        {"assistant_id": assistant, "assistant_name": names.get(assistant, assistant), "version_id": version,
         "version_name": versions.get(version, version), "batches": len(g["batches"]),
         "pass_rate": g["passed"] / g["finished"]}
        for (assistant, version), g in groups.items()
    ]


def history_counts(suite_name: str) -> tuple[dict[str, int], dict[str, str]]:
    """{version id: the suite's runs on it} ("" for main) and the versions' names (as
    `version_names`), in one query: the history's count, its version filter and the trend's names."""
    version = AssistantVersion.objects.filter(version_id=OuterRef("version_id"))
    rows = (suite_runs(suite_name).order_by().values("version_id")
            .annotate(n=Count("pk"), name=Subquery(version.values("name")[:1]),
                      at=Subquery(version.values("created_at")[:1]), cached=Exists(version))
            .values_list("version_id", "n", "name", "at", "cached"))
    counts, names = {}, {}
    for version_id, n, name, at, cached in rows:
        counts[version_id] = n
        if version_id:
            names[version_id] = _version_name(version_id, name, at) if cached else f"version {version_id[:8]}"
    return counts, names


def version_filter_choices(suite_name: str, versions=None, names: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """The history's version filter: each version by its name (a short id when it has none), never a raw id.
    `versions` (ids) and `names`: what the caller read already."""
    if versions is None:
        versions = suite_runs(suite_name).exclude(version_id="").order_by().values_list("version_id", flat=True).distinct()
    versions = {v for v in versions if v}
    names = version_names(versions) if names is None else names
    return [(MAIN, "Main version"), *sorted(((v, names[v]) for v in versions), key=lambda c: c[1].lower())]


def pass_rate_trend(suite_name: str, *, finished: list[SuiteRun] | None = None,
                    names: dict[str, str] | None = None) -> Chart:
    """The pass rate of the suite's last finished runs over time, each dot linked to its run.
    `finished` and `names` (the versions'): what the caller read already."""
    finished = finished_suite_runs(suite_name) if finished is None else finished
    if names is None:
        names = version_names(v for r in finished for v in [r.version_id, *(r.versions or {}).values()])

    def versions(run: SuiteRun) -> str:
        served = [names.get(v, v) for v in ((run.versions or {}).values() if run.versions else [run.version_id]) if v]
        return ", ".join(dict.fromkeys(served)) or "main"

    points = [
        Point(run.started_at, run.pass_rate or 0.0, f"{run.passed}/{run.total} passed on {versions(run)}",
              reverse("testing:suite-run-detail", args=[suite_name, run.batch_id]))
        for run in finished
    ]
    return line_chart("Pass rate per suite run", {suite_name: points})


def test_names(ids=None) -> dict[str, str]:
    """{test id: name}, of every cached test or only of `ids` (a page's worth)."""
    rows = AssistantTest.objects.all() if ids is None else AssistantTest.objects.filter(telnyx_id__in=list(ids))
    return dict(rows.values_list("telnyx_id", "name"))


def suites_for_assistant(assistant_id: str) -> list[str]:
    """Every suite with a test that calls this assistant: a suite belongs to each assistant its
    tests call (what counts for one of them is only its own tests, see testing.evidence)."""
    return list(AssistantTest.objects.filter(destination=assistant_id).exclude(test_suite="")
                .order_by("test_suite").values_list("test_suite", flat=True).distinct())


def suite_runs_for_assistant(assistant_id: str) -> QuerySet[SuiteRun]:
    """Runs of the suites `suites_for_assistant` names, as a per-run test (a correlated EXISTS on
    the tests' suite index), not a list of names: newest first, a walk of the runs' time index
    stops with the page (the release timeline), where an IN of every suite name (1,000 at 10,000
    tests) reads all their runs and sorts them."""
    return SuiteRun.objects.filter(Exists(AssistantTest.objects.filter(
        test_suite=OuterRef("suite"), destination=assistant_id).exclude(test_suite="")))


def suite_runs_for_version(version_id: str, limit: int = 5) -> list[SuiteRun]:
    """The latest suite runs the portal started against one assistant version."""
    candidates = SuiteRun.objects.filter(Q(version_id=version_id) | ~Q(versions={}))
    return [r for r in candidates.iterator() if version_id in (r.version_id, *r.versions.values())][:limit]


def suite_destinations(suite_name: str) -> list[str]:
    """Every assistant the suite's tests call, the first test's first."""
    values = (AssistantTest.objects.filter(test_suite=suite_name).exclude(destination="")
              .order_by("created_at", "pk").values_list("destination", flat=True))
    return list(dict.fromkeys(values))


def version_names(version_ids) -> dict[str, str]:
    """{version id: its name} from the versions cache. A version without a name, or not in the
    cache, is called by its saving time or a short id: a whole UUID in a header says nothing."""
    ids = {v for v in version_ids if v}
    rows = AssistantVersion.objects.filter(version_id__in=ids).values_list("version_id", "name", "created_at")
    names = {version: _version_name(version, name, at) for version, name, at in rows}
    return {**{v: f"version {v[:8]}" for v in ids}, **names}


def _version_name(version: str, name: str, at) -> str:
    return name or (f"version of {timezone.localtime(at):%-d %b, %H:%M}" if at else f"version {version[:8]}")


@dataclass
class Destination:
    """An assistant a suite's tests call, with the cached versions it can run on."""

    assistant_id: str
    name: str
    versions: list[tuple[str, str]]


#: Versions offered per assistant in the Run suite form (Telnyx keeps 10; the cache never holds many more).
VERSIONS_OFFERED = 20


def destinations_with_versions(suite_name: str, ids: list[str] | None = None,
                               names: dict[str, str] | None = None) -> list[Destination]:
    """Each assistant the suite's tests call (`ids` when the caller read them already), with its
    newest cached versions: two queries however many assistants and versions there are (one
    with `names`, the assistants' names read already)."""
    ids = suite_destinations(suite_name) if ids is None else ids
    if names is None:
        names = dict(Assistant.objects.filter(telnyx_id__in=ids).values_list("telnyx_id", "name"))
    newest = _first_per(AssistantVersion.objects.filter(assistant_id__in=ids).exclude(version_id="").defer("payload"),
                        "assistant_id", [F("created_at").desc(nulls_last=True), F("pk").desc()], VERSIONS_OFFERED)
    by_assistant: dict[str, list[tuple[str, str]]] = {}
    for v in sorted(newest, key=lambda v: v.rank):
        by_assistant.setdefault(v.assistant_id, []).append((v.version_id, f"{v.name or v.version_id} · {v.version_id[:8]}"))
    return [Destination(assistant_id=a, name=names.get(a, a), versions=by_assistant.get(a, [])) for a in ids]


def triggered_by(runs) -> dict[str, str]:
    """{run id: the portal user who started it} for the runs started from the portal."""
    ids = [getattr(r, "telnyx_id", r) for r in runs if r]
    return dict(RunTrigger.objects.filter(run_id__in=ids).values_list("run_id", "username"))


def suite_schedules(suite_name: str):
    return SuiteSchedule.objects.filter(suite=suite_name).select_related("periodic_task", "owner")


def alert_deliveries(suite_name: str, limit: int = 10) -> list:
    """The suite's latest alert deliveries, newest first, with their run."""
    return list(AlertDelivery.objects.filter(suite_run__suite=suite_name).select_related("suite_run")[:limit])


def test_by_id(test_id: str) -> AssistantTest | None:
    return AssistantTest.objects.filter(telnyx_id=test_id).first()


def tests_by_ids(ids) -> QuerySet[AssistantTest]:
    return AssistantTest.objects.filter(telnyx_id__in=ids).order_by("name")


def test_choices() -> QuerySet:
    """(id, name) of every cached test, for the changelist's action bar."""
    return AssistantTest.objects.values_list("telnyx_id", "name")


def run_by_id(run_id: str) -> TestRun | None:
    return TestRun.objects.filter(telnyx_id=run_id).first()


def runs_by_id(run_ids) -> dict[str, TestRun]:
    return {r.telnyx_id: r for r in TestRun.objects.filter(telnyx_id__in=run_ids)}


def suite_run(suite_name: str, batch_id: str) -> SuiteRun | None:
    return SuiteRun.objects.filter(suite=suite_name, batch_id=batch_id).first()


def suite_run_of(run: dict) -> SuiteRun | None:
    """The portal batch a run belongs to: by Telnyx's batch id, or (for a batch the portal ran
    test by test, which has no Telnyx batch id) by the trigger it remembered."""
    found = SuiteRun.objects.filter(batch_id=run.get("test_suite_run_id") or "-").first()
    if found is None:
        trigger = RunTrigger.objects.filter(run_id=run.get("run_id") or "-").select_related("suite_run").first()
        found = trigger.suite_run if trigger else None
    return found


def test_suite_choices() -> list[tuple[str, str]]:
    """(id, "name · suite") of every cached test, for the add-suite form."""
    return [(i, f"{name} · in “{suite}”" if suite else name)
            for i, name, suite in AssistantTest.objects.order_by("name", "pk").values_list("telnyx_id", "name", "test_suite")]


def _finished_batches(suite_name: str) -> QuerySet[SuiteRun]:
    return SuiteRun.objects.filter(suite=suite_name).exclude(status="running").order_by("-started_at", "-pk")


def previous_suite_run(suite_run: SuiteRun) -> SuiteRun | None:
    """The suite's last finished run before this one."""
    return (_finished_batches(suite_run.suite).filter(started_at__lt=suite_run.started_at)
            .exclude(pk=suite_run.pk).first())


def main_suite_run(suite_name: str, *, exclude: SuiteRun | None = None) -> SuiteRun | None:
    """The suite's newest finished run on the main version. Only batches the portal started say
    which version they ran on; one found in Telnyx's history alone may have run on any."""
    batches = _finished_batches(suite_name).filter(version_id="", versions={}).exclude(username="")
    return batches.exclude(pk=getattr(exclude, "pk", None)).first()


def version_suite_run(suite_name: str, version_id: str) -> SuiteRun | None:
    """The suite's newest finished run on the given version."""
    candidates = _finished_batches(suite_name).filter(Q(version_id=version_id) | ~Q(versions={}))[:TREND_RUNS]
    return next((r for r in candidates if version_id in (r.version_id, *r.versions.values())), None)


def suite_run_by_batch(batch_id: str) -> SuiteRun | None:
    return SuiteRun.objects.filter(batch_id=batch_id).first()


def batch_runs(suite_run: SuiteRun | None) -> list[TestRun]:
    """The batch's cached test runs, in its own order."""
    if suite_run is None:
        return []
    runs = runs_by_id(suite_run.run_ids)
    return [runs[r] for r in suite_run.run_ids if r in runs]


def previous_test_run(run: TestRun) -> TestRun | None:
    """The test's last finished run before this one."""
    return (TestRun.objects.filter(test_id=run.test_id, status__in=FINAL_STATUSES, created_at__lt=run.created_at)
            .exclude(pk=run.pk).order_by("-created_at", "-pk").first()) if run.created_at else None


def main_test_run(run: TestRun) -> TestRun | None:
    """The test's newest other finished run on the main version (as far as the portal knows:
    a run in a batch on a version, or sent to a version, is not on main)."""
    candidates = list(TestRun.objects.filter(test_id=run.test_id, status__in=FINAL_STATUSES).exclude(pk=run.pk)
                      .order_by("-created_at", "-pk")[:TREND_RUNS])
    batches = {b.batch_id: b for b in SuiteRun.objects.filter(batch_id__in=[c.suite_run_id for c in candidates if c.suite_run_id])}
    triggered = dict(RunTrigger.objects.filter(run_id__in=[c.telnyx_id for c in candidates], suite_run__isnull=False)
                     .values_list("run_id", "suite_run__version_id"))
    for candidate in candidates:
        batch = batches.get(candidate.suite_run_id)
        if candidate.payload.get("destination_version_id") or triggered.get(candidate.telnyx_id):
            continue
        if batch is not None and (batch.version_id or batch.versions or not batch.username):
            continue
        return candidate
    return None


def test_origin(test_id: str) -> TestOrigin | None:
    """The real conversation the test was made from, if it was."""
    return TestOrigin.objects.filter(test_id=test_id).first()
