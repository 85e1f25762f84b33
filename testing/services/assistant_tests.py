"""Assistant test writes and syncs: Telnyx first, then the cache takes Telnyx's answer, then the audit log."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core import audit
from core.live import LiveOrCached, live_or_cached_row
from portal.roles import ADMINISTER, READ, require_perm
from core.sync import SyncOutcome, replace_cache, run_sync
from portal.telnyx import NotFoundError, TelnyxError, get_client, new_idempotency_key

from testing.models import AssistantTest

RESOURCE = "assistant-tests"
RESOURCE_TYPE = "assistant_test"
PATH = "ai/assistants/tests"


def parse_time(value) -> object:
    return parse_datetime(str(value)) if value else None


def test_fields(item: dict) -> dict:
    """The cache columns of one API test object."""
    duration = item.get("max_duration_seconds")
    return {
        "telnyx_id": item["test_id"],
        "name": str(item.get("name") or "")[:300],
        "description": str(item.get("description") or ""),
        "destination": str(item.get("destination") or "")[:300],
        "channel": str(item.get("telnyx_conversation_channel") or "")[:20],
        "test_suite": str(item.get("test_suite") or "")[:300],
        "instructions": str(item.get("instructions") or ""),
        "max_duration_seconds": int(duration) if isinstance(duration, int) and duration >= 0 else None,
        "created_at": parse_time(item.get("created_at")),
    }


def test_cache_put(item: dict) -> AssistantTest:
    row, _ = AssistantTest.objects.update_or_create(
        telnyx_id=item["test_id"], defaults={**test_fields(item), "payload": item, "synced_at": timezone.now()}
    )
    return row


def tests_sync() -> SyncOutcome:
    """Replace the cached test list with Telnyx's (every page). A failure leaves the cache as it was."""
    return run_sync(
        RESOURCE,
        lambda: get_client().paginate(PATH),
        lambda items: replace_cache(AssistantTest, items, test_fields),
    )


def test_fetch(*, user, test_id: str) -> LiveOrCached:
    """The test as Telnyx has it now (cached as it comes), or the cached copy if Telnyx fails."""
    require_perm(user, READ)

    return live_or_cached_row(
        AssistantTest.objects.filter(telnyx_id=test_id), lambda: get_client().get(f"{PATH}/{test_id}").data, test_cache_put
    )


def test_create(*, user, data: dict, idempotency_key: str = "") -> dict:
    """Create a test in Telnyx, cache and audit it. The form's key makes a resubmission harmless."""
    require_perm(user, ADMINISTER)
    label = str(data.get("name", ""))
    try:
        response = get_client().post(PATH, json=data, idempotency_key=idempotency_key or new_idempotency_key())
    except TelnyxError as exc:
        audit.record(
            user=user, action="create", resource_type=RESOURCE_TYPE, resource_label=label,
            summary=f"Tried to create test “{label}”", changes=audit.diff(None, data), error=exc,
        )
        raise
    created = response.data
    with transaction.atomic():
        test_cache_put(created)
        audit.record(
            user=user, action="create", resource_type=RESOURCE_TYPE, resource_id=created["test_id"],
            resource_label=created.get("name", label), summary=f"Created test “{created.get('name', label)}”",
            changes=audit.diff(None, data), response=response,
        )
    return created


def test_update(*, user, test_id: str, data: dict, before: dict | None = None) -> dict:
    """Save a test's new settings in Telnyx (PUT), then cache and audit what changed."""
    require_perm(user, ADMINISTER)
    before = {k: (before or {}).get(k) for k in data}
    label = str(data.get("name") or test_id)
    try:
        response = get_client().put(f"{PATH}/{test_id}", json=data)
    except TelnyxError as exc:
        audit.record(
            user=user, action="update", resource_type=RESOURCE_TYPE, resource_id=test_id, resource_label=label,
            summary=f"Tried to update test “{label}”", changes=audit.diff(before, data), error=exc,
        )
        raise
    updated = response.data
    with transaction.atomic():
        test_cache_put(updated)
        audit.record(
            user=user, action="update", resource_type=RESOURCE_TYPE, resource_id=test_id,
            resource_label=updated.get("name", label), summary=f"Updated test “{updated.get('name', label)}”",
            changes=audit.diff(before, data), response=response,
        )
    return updated


def test_delete(*, user, test_id: str) -> bool:
    """Delete a test in Telnyx and drop it from the cache. False when Telnyx no longer had it."""
    require_perm(user, ADMINISTER)
    row = AssistantTest.objects.filter(telnyx_id=test_id).first()
    label = row.name if row else test_id
    try:
        response = get_client().delete(f"{PATH}/{test_id}")
    except NotFoundError as exc:
        AssistantTest.objects.filter(telnyx_id=test_id).delete()
        audit.record(
            user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=test_id, resource_label=label,
            summary=f"Test “{label}” was already gone in Telnyx", error=exc,
        )
        return False
    except TelnyxError as exc:
        audit.record(
            user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=test_id, resource_label=label,
            summary=f"Tried to delete test “{label}”", error=exc,
        )
        raise
    with transaction.atomic():
        AssistantTest.objects.filter(telnyx_id=test_id).delete()
        audit.record(
            user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=test_id, resource_label=label,
            summary=f"Deleted test “{label}”", response=response,
        )
    return True
