"""Suites: list them, trigger a suite run (Operator), follow its runs, and keep its history.

A suite is only the `test_suite` string on tests. Triggering one returns a bare array of
test runs; the portal keeps that batch as a `SuiteRun` so its live page and history survive.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from assistants.services.versions import versions_resource
from core import audit
from core.background import sync_if_stale
from core.cache import bump
from core.sync import SyncOutcome, is_stale, replace_cache, run_sync
from core.types import PortalUser
from core.writes import telnyx_write
from portal.converters import is_telnyx_id
from portal.models import SyncState
from portal.roles import OPERATE, READ, require_perm
from portal.telnyx import TelnyxError, TelnyxResponse
from portal.telnyx.dates import parse_date
from portal.telnyx.resources import test_runs as runs_api
from portal.telnyx.resources import test_suites as suites_api
from testing import selectors
from testing.models import FINAL_STATUSES, AssistantTest, SuiteRun, TestRun, TestSuite
from testing.services import alerts
from testing.services.assistant_tests import tests_sync
from testing.services.runs import MAX_RUN_PAGES, remember_trigger, runs_cache_put

RESOURCE = "test-suites"
RESOURCE_TYPE = "test_suite"
# One listing per suite: its run history ("suite-history:<suite name>").
SUITE_HISTORY_FAMILY = "suite-history"


def suites_sync() -> SyncOutcome:
    """Replace the cached suite names with Telnyx's."""
    return run_sync(
        RESOURCE, lambda: [{"name": name} for name in suites_api.list_names()],
        lambda items: replace_cache(TestSuite, items, lambda i: {"telnyx_id": i["name"], "name": i["name"]}),
    )


def suite_known(*, suite_name: str) -> tuple[bool, TelnyxError | None]:
    """Whether Telnyx has this suite: the cached names first, else Telnyx's list, read into the
    cache (a suite page opened from a bookmark before anyone listed the suites). With Telnyx
    unreachable the answer is (False, why)."""
    if suite_name in selectors.suite_names():
        return True, None
    outcome = suites_sync()
    if outcome.error:
        return False, outcome.error
    return suite_name in selectors.suite_names(), None


# Each suite's run history is one more call per suite: only the first ones are refreshed here.
MAX_SUITES_REFRESHED = 25


def suites_page_sync() -> SyncOutcome:
    """The suites page shows test counts and last runs too: re-read tests, suite names, then each suite's runs."""
    tests = tests_sync()
    suites = suites_sync()
    if suites.ok:
        for name in selectors.suite_names()[:MAX_SUITES_REFRESHED]:
            suite_history_sync(suite_name=name)
    return suites if suites.error or not tests.error else tests


def destination_versions(*, user: PortalUser, suite_name: str, destinations: list[str] | None = None,
                         outcomes: dict | None = None, names: dict[str, str] | None = None,
                         ) -> tuple[list[selectors.Destination], str]:
    """Each assistant the suite's tests call, with its cached versions for the Run suite form
    (a stale assistant's versions are synced on the worker, inline where tasks are eager).
    `destinations`: the suite's assistants when the caller read them already; `outcomes`: their
    versions' syncs when the page claimed them already (`core.background.page_syncs` over
    `versions_resources`); `names`: the assistants' names read already.

    Returns the destinations and, if Telnyx failed for any, why (the cached versions are offered).
    """
    require_perm(user, READ)
    destinations = selectors.suite_destinations(suite_name) if destinations is None else destinations
    if outcomes is not None:
        errors = [o.error.user_message for o in outcomes.values() if o is not None and o.error]
        return (selectors.destinations_with_versions(suite_name, destinations, names),
                " ".join(dict.fromkeys(errors)))
    errors = []
    # Only the assistants whose cached versions are stale: one query here however many the suite
    # calls, and a sync queued on a worker (inline where tasks are eager) only for those; the
    # portal's own version writes keep the cache current. The states read here serve the checks.
    resources = [versions_resource(a) for a in destinations]
    states = {state.resource: state for state in SyncState.objects.filter(resource__in=resources)}
    for resource in resources:
        state = states.get(resource) or SyncState(resource=resource)
        if not is_stale(state):
            continue
        outcome = sync_if_stale(resource, state)
        if outcome is not None and outcome.error:
            errors.append(outcome.error.user_message)
    return selectors.destinations_with_versions(suite_name, destinations, names), " ".join(dict.fromkeys(errors))


def versions_resources(destinations: list[str]) -> list[str]:
    """The versions listings of the suite's assistants: the Run suite form offers them."""
    return [versions_resource(a) for a in destinations]


def summarize(suite_run: SuiteRun, *, alert: bool = True) -> SuiteRun:
    """Recount a batch from its cached runs and save the summary (status, counts, finish time).

    A batch seen running and now final sends its suite's alerts (unless `alert` is False: a
    batch first seen already finished, in an old history, is not news).
    """
    was_running = suite_run.status == "running"
    _recount(suite_run, _cached_runs(suite_run.run_ids))
    suite_run.save()
    if alert and was_running and suite_run.status != "running":
        alerts.alerts_for_finished_run(suite_run)
    return suite_run


def _cached_runs(run_ids) -> dict[str, tuple[str, object]]:
    """{run id: (status, completed_at)} of the cached runs, in one query."""
    rows = TestRun.objects.filter(telnyx_id__in=list(run_ids)).values_list("telnyx_id", "status", "completed_at")
    return {run_id: (status, completed) for run_id, status, completed in rows}


def _recount(suite_run: SuiteRun, cached: dict[str, tuple[str, object]]) -> None:
    """Set the batch's counts, status and finish time from `cached` (see `_cached_runs`); no query."""
    mine = [cached[r] for r in suite_run.run_ids if r in cached]
    statuses = [status for status, _ in mine]
    suite_run.total = len(suite_run.run_ids)
    suite_run.passed = statuses.count("passed")
    suite_run.failed = statuses.count("failed")
    suite_run.errored = statuses.count("error")
    if suite_run.is_final:
        suite_run.status = "passed" if suite_run.passed == suite_run.total else "failed" if suite_run.failed else "error"
        if suite_run.finished_at is None:
            suite_run.finished_at = max((c for _, c in mine if c), default=None) or timezone.now()
    else:
        suite_run.status = "running"


def _trigger_each_test(suite_name: str, versions: dict[str, str], idempotency_key: str, trials: int = 1,
                       trial_of: dict[str, int] | None = None) -> TelnyxResponse:
    """Run the suite test by test, each on its own assistant's chosen version, `trials` times.

    Telnyx's suite trigger takes one version for every test, which is wrong when the tests
    call different assistants, and runs each test once. One key per test and trial from the
    batch's key: a retry after a failure gets the runs already started back instead of twins.
    `trial_of` is filled with {run id: trial number}.
    """
    tests = list(AssistantTest.objects.filter(test_suite=suite_name).order_by("name", "pk"))
    started = []
    for trial in range(1, trials + 1):
        for test in tests:
            suffix = f"-t{trial}" if trial > 1 else ""  # trial 1 keeps the key a single run always had
            response = runs_api.trigger(test.telnyx_id, destination_version_id=versions.get(test.destination, ""),
                                        idempotency_key=f"{idempotency_key}-{test.pk}{suffix}")
            started.append(response)
            if trial_of is not None and response.data.get("run_id"):
                trial_of[response.data["run_id"]] = trial
    last = started[-1]
    return TelnyxResponse(status=last.status, data=[r.data for r in started], request_id=last.request_id)


MAX_TRIALS = 10


def suite_run_trigger(*, user: PortalUser, suite_name: str, idempotency_key: str, version_id: str = "",
                      versions: dict[str, str] | None = None, trials: int = 1) -> SuiteRun:
    """Run every test of a suite (`trials` times each) and keep the batch.

    `versions` maps a destination assistant to the version its tests run on (main when
    absent); `version_id` is the version for a suite whose tests all call one assistant.
    With several trials each test is triggered on its own, every trial under its own key.
    The form's Idempotency-Key goes to Telnyx and onto the batch: a retry after a lost answer
    gets Telnyx's same runs back and lands on the same batch, never a second one.
    """
    require_perm(user, OPERATE)
    existing = SuiteRun.objects.filter(idempotency_key=idempotency_key, suite=suite_name).first()
    if existing:
        return existing
    destinations = selectors.suite_destinations(suite_name)
    versions = {a: v for a, v in (versions or {}).items() if v}
    if version_id and not versions and len(destinations) == 1:
        versions = {destinations[0]: version_id}
    if version_id and len(destinations) > 1:
        raise ValueError("This suite's tests call several assistants: choose a version per assistant.")
    trials = max(1, min(int(trials or 1), MAX_TRIALS))
    each_test = (len(destinations) > 1 and bool(versions)) or trials > 1
    trial_of: dict[str, int] = {}
    # The version the batch tested, when there is one: filters and the version page look it up.
    one_version = version_id or (next(iter(versions.values())) if len(versions) == 1 else "")
    changes = audit.diff(None, {**({"versions": versions} if len(destinations) > 1 and versions else
                                   {"destination_version_id": one_version} if one_version else {}),
                                **({"trials": trials} if trials > 1 else {})})
    names = selectors.version_names(versions.values())
    on = (", ".join(names.get(v, v) for v in versions.values()) if versions and len(versions) > 1 else
          names.get(one_version, one_version) if one_version else "the main version")
    on += f", {trials} trials per test" if trials > 1 else ""

    def store(response: TelnyxResponse) -> None:
        runs = response.data
        batch_id = "" if each_test else next((r["test_suite_run_id"] for r in runs if r.get("test_suite_run_id")), "")
        runs_cache_put(runs)
        suite_run, _ = SuiteRun.objects.get_or_create(
            batch_id=batch_id or f"portal-{uuid.uuid4()}",
            defaults={
                "suite": suite_name, "version_id": one_version, "versions": versions,
                "run_ids": [r["run_id"] for r in runs], "user": user, "username": user.username,
                "idempotency_key": idempotency_key, "started_at": timezone.now(), "trials": trials,
            },
        )
        remember_trigger(runs, user, suite_run, trial_of=trial_of)
        summarize(suite_run)

    call = ((lambda: _trigger_each_test(suite_name, versions, idempotency_key, trials, trial_of)) if each_test else
            (lambda: suites_api.trigger(suite_name, destination_version_id=one_version, idempotency_key=idempotency_key)))
    telnyx_write(
        call, user=user, action="run", resource_type=RESOURCE_TYPE, resource_id=suite_name, label=suite_name,
        summary=f"Started suite “{suite_name}” on {on}", failure_summary=f"Tried to run suite “{suite_name}”",
        changes=changes, store=store,
    )
    return SuiteRun.objects.get(suite=suite_name, idempotency_key=idempotency_key)


def suite_run_refresh(suite_run: SuiteRun) -> TelnyxError | None:
    """Re-read the batch's unfinished runs from Telnyx. Returns the error (cache kept) if Telnyx fails."""
    pending = set(TestRun.objects.filter(telnyx_id__in=suite_run.run_ids).exclude(status__in=FINAL_STATUSES)
                  .values_list("telnyx_id", flat=True))
    pending |= set(suite_run.run_ids) - set(TestRun.objects.filter(telnyx_id__in=suite_run.run_ids).values_list("telnyx_id", flat=True))
    if not pending:
        return None
    try:
        if suite_run.batch_id.startswith("portal-") or not is_telnyx_id(suite_run.batch_id):
            # No batch id from Telnyx (or one that cannot be one): read each unfinished run on its own.
            runs = [runs_api.retrieve(r.test_id, r.telnyx_id) for r in TestRun.objects.filter(telnyx_id__in=pending)]
        else:
            runs = list(suites_api.runs(suite_run.suite, test_suite_run_id=suite_run.batch_id))
    except TelnyxError as exc:
        return exc
    with transaction.atomic():
        runs_cache_put([r for r in runs if r.get("run_id") in set(suite_run.run_ids)])
        summarize(suite_run)
    return None


def suite_history_resource(suite_name: str) -> str:
    return f"{SUITE_HISTORY_FAMILY}:{suite_name}"


def suite_history_sync(*, suite_name: str) -> SyncOutcome:
    """Cache the suite's recent runs from Telnyx and group them into batches (`SuiteRun`s); a
    failure keeps the cache. Batches started outside the portal appear too, with no user and
    an unknown version. Runs under the history's lease: on the worker for the suite page (the
    "suite-history" listing family, see testing/tasks.py), inline in the suites page's sync."""
    return run_sync(suite_history_resource(suite_name), lambda: suites_api.runs(suite_name, max_pages=MAX_RUN_PAGES),
                    lambda items: _history_store(suite_name, items))


def _history_store(suite_name: str, items: list[dict]) -> int:
    batches: dict[str, list[dict]] = {}
    for item in items:
        if item.get("test_suite_run_id"):
            batches.setdefault(item["test_suite_run_id"], []).append(item)
    # In a fixed number of queries however many runs and batches Telnyx lists: this runs on a page view.
    with transaction.atomic():
        runs_cache_put(items)
        known = {r.batch_id: r for r in SuiteRun.objects.filter(batch_id__in=list(batches))}
        new = []
        for batch_id, runs in batches.items():
            ids = [r["run_id"] for r in runs if r.get("run_id")]
            if batch_id in known:
                suite_run = known[batch_id]
                seen = set(suite_run.run_ids)
                suite_run.run_ids = suite_run.run_ids + [r for r in ids if r not in seen]
            else:
                started = min((parse_date(r.get("created_at")) for r in runs if r.get("created_at")), default=None)
                new.append(SuiteRun(batch_id=batch_id, suite=suite_name, run_ids=ids, started_at=started or timezone.now()))
        cached = _cached_runs(r for suite_run in [*known.values(), *new] for r in suite_run.run_ids)
        finished_now = []
        for suite_run in known.values():
            was_running = suite_run.status == "running"
            _recount(suite_run, cached)
            if was_running and suite_run.status != "running":
                finished_now.append(suite_run)
        for suite_run in new:
            _recount(suite_run, cached)  # first seen: not news, no alert
        SuiteRun.objects.bulk_create(new, batch_size=500)
        SuiteRun.objects.bulk_update(list(known.values()), ["run_ids", "total", "passed", "failed", "errored", "status",
                                                            "finished_at"], batch_size=500)
        if new or known:
            bump(SuiteRun)  # bulk writes send no save signal
        for suite_run in finished_now:
            alerts.alerts_for_finished_run(suite_run)
    return len(items)
