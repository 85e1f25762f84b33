"""Suites: list them, trigger a suite run (Operator), follow its runs, and keep its history.

A suite is only the `test_suite` string on tests. Triggering one returns a bare array of
test runs; the portal keeps that batch as a `SuiteRun` so its live page and history survive.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

from django.db import transaction
from django.utils import timezone

from core import audit
from portal.roles import OPERATE, READ, require_perm
from core.sync import SyncOutcome, replace_cache, run_sync
from portal.telnyx import TelnyxError, get_client

from testing import selectors
from testing.models import FINAL_STATUSES, SuiteRun, TestRun, TestSuite
from testing.services import alerts
from testing.services.assistant_tests import PATH, parse_time, tests_sync
from testing.services.runs import MAX_RUN_PAGES, runs_cache_put

RESOURCE = "test-suites"
RESOURCE_TYPE = "test_suite"


def suite_path(suite_name: str) -> str:
    return f"{PATH}/test-suites/{quote(suite_name, safe='')}/runs"


def suites_sync() -> SyncOutcome:
    """Replace the cached suite names with Telnyx's."""

    def fetch() -> list[dict]:
        names = (get_client().get(f"{PATH}/test-suites").data or {}).get("data") or []
        return [{"name": str(name)} for name in names]

    return run_sync(
        RESOURCE, fetch, lambda items: replace_cache(TestSuite, items, lambda i: {"telnyx_id": i["name"], "name": i["name"]})
    )


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


def assistant_version_choices(*, user, assistant_id: str) -> tuple[list[tuple[str, str]], str]:
    """The destination assistant's versions as (id, label), or ([], why not): main is always offered apart."""
    require_perm(user, READ)
    if not assistant_id:
        return [], ""
    try:
        versions = (get_client().get(f"ai/assistants/{assistant_id}/versions").data or {}).get("data") or []
    except TelnyxError as exc:
        return [], exc.user_message
    return [(v["version_id"], f"{v.get('version_name') or v['version_id']} · {v['version_id'][:8]}")
            for v in versions if v.get("version_id")], ""


def summarize(suite_run: SuiteRun, *, alert: bool = True) -> SuiteRun:
    """Recount a batch from its cached runs and save the summary (status, counts, finish time).

    A batch seen running and now final sends its suite's alerts (unless `alert` is False: a
    batch first seen already finished, in an old history, is not news).
    """
    was_running = suite_run.status == "running"
    statuses = list(TestRun.objects.filter(telnyx_id__in=suite_run.run_ids).values_list("status", flat=True))
    suite_run.total = len(suite_run.run_ids)
    suite_run.passed = statuses.count("passed")
    suite_run.failed = statuses.count("failed")
    suite_run.errored = statuses.count("error")
    if suite_run.is_final:
        suite_run.status = "passed" if suite_run.passed == suite_run.total else "failed" if suite_run.failed else "error"
        if suite_run.finished_at is None:
            ends = TestRun.objects.filter(telnyx_id__in=suite_run.run_ids).exclude(completed_at=None)
            last = ends.order_by("-completed_at").values_list("completed_at", flat=True).first()
            suite_run.finished_at = last or timezone.now()
    else:
        suite_run.status = "running"
    suite_run.save()
    if alert and was_running and suite_run.status != "running":
        alerts.alerts_for_finished_run(suite_run)
    return suite_run


def suite_run_trigger(*, user, suite_name: str, idempotency_key: str, version_id: str = "") -> SuiteRun:
    """Run every test of a suite (against `version_id`, or the main version) and keep the batch.

    The form's Idempotency-Key goes to Telnyx and onto the batch: a retry after a lost answer
    gets Telnyx's same runs back and lands on the same batch, never a second one.
    """
    require_perm(user, OPERATE)
    existing = SuiteRun.objects.filter(idempotency_key=idempotency_key, suite=suite_name).first()
    if existing:
        return existing
    body = {"destination_version_id": version_id} if version_id else {}
    try:
        response = get_client().post(suite_path(suite_name), json=body, idempotency_key=idempotency_key)
    except TelnyxError as exc:
        audit.record(
            user=user, action="run", resource_type=RESOURCE_TYPE, resource_id=suite_name, resource_label=suite_name,
            summary=f"Tried to run suite “{suite_name}”", changes=audit.diff(None, body), error=exc,
        )
        raise
    runs = response.data if isinstance(response.data, list) else (response.data or {}).get("data") or []
    batch_id = next((r["test_suite_run_id"] for r in runs if r.get("test_suite_run_id")), "") or f"portal-{uuid.uuid4()}"
    with transaction.atomic():
        runs_cache_put(runs)
        suite_run, _ = SuiteRun.objects.get_or_create(
            batch_id=batch_id,
            defaults={
                "suite": suite_name, "version_id": version_id, "run_ids": [r["run_id"] for r in runs],
                "user": user, "username": user.username, "idempotency_key": idempotency_key,
                "started_at": timezone.now(),
            },
        )
        summarize(suite_run)
        audit.record(
            user=user, action="run", resource_type=RESOURCE_TYPE, resource_id=suite_name, resource_label=suite_name,
            summary=f"Started suite “{suite_name}”: {len(runs)} test run(s) on {version_id or 'the main version'}",
            changes=audit.diff(None, body), response=response,
        )
    return suite_run


def suite_run_refresh(suite_run: SuiteRun) -> TelnyxError | None:
    """Re-read the batch's unfinished runs from Telnyx. Returns the error (cache kept) if Telnyx fails."""
    pending = set(TestRun.objects.filter(telnyx_id__in=suite_run.run_ids).exclude(status__in=FINAL_STATUSES)
                  .values_list("telnyx_id", flat=True))
    pending |= set(suite_run.run_ids) - set(TestRun.objects.filter(telnyx_id__in=suite_run.run_ids).values_list("telnyx_id", flat=True))
    if not pending:
        return None
    try:
        if suite_run.batch_id.startswith("portal-"):
            # No batch id from Telnyx: read each unfinished run on its own.
            runs = [get_client().get(f"{PATH}/{r.test_id}/runs/{r.telnyx_id}").data
                    for r in TestRun.objects.filter(telnyx_id__in=pending)]
        else:
            runs = list(get_client().paginate(suite_path(suite_run.suite), params={"test_suite_run_id": suite_run.batch_id}))
    except TelnyxError as exc:
        return exc
    with transaction.atomic():
        runs_cache_put([r for r in runs if r.get("run_id") in set(suite_run.run_ids)])
        summarize(suite_run)
    return None


def suite_history_sync(*, suite_name: str) -> SyncOutcome:
    """Cache the suite's recent runs from Telnyx and group them into batches (`SuiteRun`s).

    Batches started outside the portal appear too, with no user and an unknown version.
    """
    try:
        items = list(get_client().paginate(suite_path(suite_name), max_pages=MAX_RUN_PAGES))
    except TelnyxError as exc:
        return SyncOutcome(ran=True, error=exc)
    batches: dict[str, list[dict]] = {}
    for item in items:
        if item.get("test_suite_run_id"):
            batches.setdefault(item["test_suite_run_id"], []).append(item)
    with transaction.atomic():
        runs_cache_put(items)
        for batch_id, runs in batches.items():
            started = min((parse_time(r.get("created_at")) for r in runs if r.get("created_at")), default=None)
            suite_run, created = SuiteRun.objects.get_or_create(
                batch_id=batch_id,
                defaults={"suite": suite_name, "run_ids": [r["run_id"] for r in runs],
                          "started_at": started or timezone.now()},
            )
            if not created:
                known = set(suite_run.run_ids)
                suite_run.run_ids = suite_run.run_ids + [r["run_id"] for r in runs if r["run_id"] not in known]
            summarize(suite_run, alert=not created)
    return SyncOutcome(ran=True, count=len(items))
