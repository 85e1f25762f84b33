"""Assistant test writes and syncs, through the resource layer and the one write path."""

from __future__ import annotations

from core import audit
from core.cache import cache_put, text_fields
from core.crud import CachedResource
from core.live import LiveOrCached
from core.sync import SyncOutcome
from core.types import PortalUser
from core.writes import telnyx_write
from portal.roles import ADMINISTER, require_perm
from portal.telnyx import new_idempotency_key
from portal.telnyx.dates import parse_date
from portal.telnyx.resources import tests as tests_api
from testing.models import AssistantTest

RESOURCE = "assistant-tests"
RESOURCE_TYPE = "assistant_test"


def test_fields(item: dict) -> dict:
    """The cache columns of one API test object."""
    duration = item.get("max_duration_seconds")
    return {
        "telnyx_id": item["test_id"],
        **text_fields(AssistantTest, item, "name", "description", "destination", "test_suite", "instructions"),
        "channel": str(item.get("telnyx_conversation_channel") or "")[:20],
        "max_duration_seconds": int(duration) if isinstance(duration, int) and duration >= 0 else None,
        "created_at": parse_date(item.get("created_at")),
    }


def test_cache_put(item: dict) -> AssistantTest:
    return cache_put(AssistantTest, item, test_fields)


# Deletes go through the shared shape; create and update keep their own (the id is `test_id`,
# and the audit's "before" is the copy the form was built from).
TESTS = CachedResource(model=AssistantTest, api=tests_api, resource_type=RESOURCE_TYPE, noun="test",
                       label_field="name", cache_put=test_cache_put, listing=RESOURCE, fields=test_fields)


def tests_sync() -> SyncOutcome:
    """Replace the cached test list with Telnyx's (every page). A failure leaves the cache as it was."""
    return TESTS.sync()


def test_fetch(*, user: PortalUser, test_id: str) -> LiveOrCached:
    """The test as Telnyx has it now (cached as it comes), or the cached copy if Telnyx fails."""
    return TESTS.fetch(user=user, telnyx_id=test_id)


def test_create(*, user: PortalUser, data: dict, idempotency_key: str = "") -> dict:
    """Create a test in Telnyx, cache and audit it. The form's key makes a resubmission harmless."""
    require_perm(user, ADMINISTER)
    label = str(data.get("name", ""))
    response = telnyx_write(
        lambda: tests_api.create(data, idempotency_key=idempotency_key or new_idempotency_key()),
        user=user, action="create", resource_type=RESOURCE_TYPE, resource_id=lambda r: r.data["test_id"],
        label=label, summary=f"Created test “{label}”", failure_summary=f"Tried to create test “{label}”",
        changes=audit.diff(None, data), store=lambda r: test_cache_put(r.data),
    )
    return response.data


def test_update(*, user: PortalUser, test_id: str, data: dict, before: dict | None = None) -> dict:
    """Save a test's new settings in Telnyx (PUT), then cache and audit what changed."""
    require_perm(user, ADMINISTER)
    before = {k: (before or {}).get(k) for k in data}
    label = str(data.get("name") or test_id)
    response = telnyx_write(
        lambda: tests_api.update(test_id, data),
        user=user, action="update", resource_type=RESOURCE_TYPE, resource_id=test_id, label=label,
        summary=f"Updated test “{label}”", failure_summary=f"Tried to update test “{label}”",
        changes=audit.diff(before, data), store=lambda r: test_cache_put(r.data),
    )
    return response.data


def test_delete(*, user: PortalUser, test_id: str) -> bool:
    """Delete a test in Telnyx and drop it from the cache. False when Telnyx no longer had it."""
    return TESTS.delete(user=user, telnyx_id=test_id)
