"""Test runs: trigger one (Operator), keep the run cache in step with Telnyx, read one run live."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import audit
from core.live import LiveOrCached, live_or_cached
from portal.roles import OPERATE, READ, require_perm
from core.sync import SyncOutcome, replace_cache
from portal.telnyx import TelnyxError, get_client

from testing.models import AssistantTest, TestRun
from testing.services.assistant_tests import PATH, parse_time

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
        "created_at": parse_time(item.get("created_at")),
        "completed_at": parse_time(item.get("completed_at")),
    }


def runs_cache_put(items: list[dict]) -> list[TestRun]:
    """Upsert runs into the cache (never deletes: other listings may hold older runs)."""
    now = timezone.now()
    rows = []
    for item in items:
        row, _ = TestRun.objects.update_or_create(
            telnyx_id=item["run_id"], defaults={**run_fields(item), "payload": item, "synced_at": now}
        )
        rows.append(row)
    return rows


def test_runs_sync(*, test_id: str) -> SyncOutcome:
    """Replace one test's cached runs with Telnyx's latest pages; a failure keeps the cache.

    No sync lease or SyncState row: this is one detail page's history, not a shared listing.
    """
    try:
        items = list(get_client().paginate(f"{PATH}/{test_id}/runs", max_pages=MAX_RUN_PAGES))
    except TelnyxError as exc:
        return SyncOutcome(ran=True, error=exc)
    with transaction.atomic():
        count = replace_cache(TestRun, items, run_fields, scope=Q(test_id=test_id))
    return SyncOutcome(ran=True, count=count)


def test_run_trigger(*, user, test_id: str, idempotency_key: str, version_id: str = "") -> dict:
    """Start one run of a test. The caller's Idempotency-Key makes a retried click the same run."""
    require_perm(user, OPERATE)
    test = AssistantTest.objects.filter(telnyx_id=test_id).first()
    label = test.name if test else test_id
    body = {"destination_version_id": version_id} if version_id else {}
    try:
        response = get_client().post(f"{PATH}/{test_id}/runs", json=body, idempotency_key=idempotency_key)
    except TelnyxError as exc:
        audit.record(
            user=user, action="run", resource_type=RESOURCE_TYPE, resource_id=test_id, resource_label=label,
            summary=f"Tried to run test “{label}”", changes=audit.diff(None, body), error=exc,
        )
        raise
    run = response.data
    with transaction.atomic():
        runs_cache_put([run])
        audit.record(
            user=user, action="run", resource_type=RESOURCE_TYPE, resource_id=test_id, resource_label=label,
            summary=f"Started a run of test “{label}” ({run.get('run_id')})", changes=audit.diff(None, body),
            response=response,
        )
    return run


def test_run_fetch(*, user, test_id: str, run_id: str) -> LiveOrCached:
    """The run as Telnyx has it now (cached as it comes), or the cached copy if Telnyx fails."""
    require_perm(user, READ)

    def fetch() -> dict:
        data = get_client().get(f"{PATH}/{test_id}/runs/{run_id}").data
        runs_cache_put([data])
        return data

    def cached():
        row = TestRun.objects.filter(telnyx_id=run_id, test_id=test_id).first()
        return (row.payload, row.synced_at) if row else None

    return live_or_cached(fetch, cached)


def run_transcript(*, conversation_id: str) -> list[dict]:
    """The test conversation's messages, oldest first. Raises TelnyxError; callers fall back to logs."""
    messages = list(get_client().paginate(f"ai/conversations/{conversation_id}/messages", max_pages=3))
    return sorted(messages, key=lambda m: str(m.get("created_at") or m.get("sent_at") or ""))
