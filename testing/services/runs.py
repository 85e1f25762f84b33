"""Test runs: trigger one (Operator), keep the run cache in step with Telnyx, read one run live."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from core import audit
from core.cache import cache_put_many
from core.live import LiveOrCached, live_or_cached
from core.sync import SyncOutcome, replace_cache, run_sync
from core.types import PortalUser
from core.writes import telnyx_write
from portal.roles import OPERATE, READ, require_perm
from portal.telnyx.dates import parse_date
from portal.telnyx.resources import conversations as conversations_api
from portal.telnyx.resources import test_runs as runs_api
from testing.models import AssistantTest, RunTrigger, SuiteRun, TestRun

RESOURCE_TYPE = "test_run"
# Enough history for the detail page, the suite chart and pass rates, without walking years of runs.
MAX_RUN_PAGES = 5


def run_fields(item: dict) -> dict:
    """The cache columns of one API test-run object."""
    return {
        "telnyx_id": item["run_id"],
        "test_id": str(item.get("test_id") or ""),
        "status": str(item.get("status") or "pending")[:20],
        "suite_run_id": str(item.get("test_suite_run_id") or ""),
        "triggered_by": str(item.get("triggered_by") or "")[:100],
        "created_at": parse_date(item.get("created_at")),
        "completed_at": parse_date(item.get("completed_at")),
    }


def runs_cache_put(items: list[dict]) -> int:
    """Upsert runs into the cache in bulk (never deletes: other listings may hold older runs)."""
    return cache_put_many(TestRun, [i for i in items if i.get("run_id")], run_fields) if items else 0


def remember_trigger(runs: list[dict], user: PortalUser, suite_run: SuiteRun | None = None,
                     trial_of: dict[str, int] | None = None) -> None:
    """Note that `user` started these runs from the portal (Telnyx only says "api"), in which
    batch, and which trial of its test each run was (`trial_of`, {run id: n}; 1 when absent)."""
    now = timezone.now()
    for run in runs:
        if run.get("run_id"):
            RunTrigger.objects.get_or_create(run_id=run["run_id"], defaults={
                "user": user if user.is_authenticated else None, "username": user.username, "started_at": now,
                "suite_run": suite_run, "trial": (trial_of or {}).get(run["run_id"], 1)})


RUNS_FAMILY = "test-runs"


def test_runs_resource(test_id: str) -> str:
    """The SyncState name of one test's run history (max 100 chars)."""
    return f"{RUNS_FAMILY}:{test_id}"[:100]


def test_runs_sync(*, test_id: str) -> SyncOutcome:
    """Replace one test's cached runs with Telnyx's latest pages; a failure keeps the cache.

    Runs on the worker under the history's lease (the "test-runs" listing family, see
    testing/tasks.py), so the page and the run tracking never sync the same test at once.
    """
    fetch = lambda: runs_api.list_all(test_id, max_pages=MAX_RUN_PAGES)  # noqa: E731
    store = lambda items: replace_cache(TestRun, items, run_fields, scope=Q(test_id=test_id))  # noqa: E731
    return run_sync(test_runs_resource(test_id), fetch, store)


def test_run_trigger(*, user: PortalUser, test_id: str, idempotency_key: str, version_id: str = "") -> dict:
    """Start one run of a test. The caller's Idempotency-Key makes a retried click the same run."""
    require_perm(user, OPERATE)
    test = AssistantTest.objects.filter(telnyx_id=test_id).first()
    label = test.name if test else test_id
    changes = audit.diff(None, {"destination_version_id": version_id} if version_id else {})

    def store(response) -> None:
        runs_cache_put([response.data])
        remember_trigger([response.data], user)

    response = telnyx_write(
        lambda: runs_api.trigger(test_id, destination_version_id=version_id, idempotency_key=idempotency_key),
        user=user, action="run", resource_type=RESOURCE_TYPE, resource_id=test_id, label=label,
        summary=f"Started a run of test “{label}”", failure_summary=f"Tried to run test “{label}”",
        changes=changes, store=store,
    )
    return response.data


def test_run_fetch(*, user: PortalUser, test_id: str, run_id: str) -> LiveOrCached:
    """The run as Telnyx has it now (cached as it comes), or the cached copy if Telnyx fails."""
    require_perm(user, READ)

    def fetch() -> dict:
        data = runs_api.retrieve(test_id, run_id)
        runs_cache_put([data])
        return data

    def cached():
        row = TestRun.objects.filter(telnyx_id=run_id, test_id=test_id).first()
        return (row.payload, row.synced_at) if row else None

    return live_or_cached(fetch, cached)


def run_transcript(*, conversation_id: str) -> list[dict]:
    """The test conversation's messages, oldest first. Raises TelnyxError; callers fall back to logs."""
    messages = list(conversations_api.messages(conversation_id, max_pages=3))
    return sorted(messages, key=lambda m: str(m.get("created_at") or m.get("sent_at") or ""))
