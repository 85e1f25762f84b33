"""Assistant writes: Telnyx first, then the cache takes Telnyx's answer, then the audit log.

Every public function checks the acting user's permission itself, so no view can skip it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core import audit
from core.live import LiveOrCached, live_or_cached_row
from portal.roles import ADMINISTER, READ, require_perm
from core.sync import SyncOutcome, replace_cache, run_sync
from portal.telnyx import NotFoundError, TelnyxError, get_client, new_idempotency_key

from assistants.models import Assistant

RESOURCE = "assistants"
RESOURCE_TYPE = "assistant"


def assistant_fields(item: dict) -> dict:
    """The cache columns of one API assistant object."""
    tags = [str(t) for t in (item.get("tags") or [])]
    created = parse_datetime(str(item.get("created_at") or "")) if item.get("created_at") else None
    updated = parse_datetime(str(item.get("version_created_at") or "")) if item.get("version_created_at") else None
    return {
        "telnyx_id": item["id"],
        "name": str(item.get("name") or "")[:300],
        "model": str(item.get("model") or "")[:200],
        "description": str(item.get("description") or ""),
        "instructions": str(item.get("instructions") or ""),
        "tags": tags,
        "tags_index": ("|" + "|".join(tags) + "|")[:1000] if tags else "",
        "created_at": created,
        "updated_at": updated or created,
        "version_id": str(item.get("version_id") or ""),
    }


def assistant_cache_put(item: dict) -> Assistant:
    """Write one API object into the cache (insert or update)."""
    row, _ = Assistant.objects.update_or_create(
        telnyx_id=item["id"], defaults={**assistant_fields(item), "payload": item, "synced_at": timezone.now()}
    )
    return row


def assistants_sync() -> SyncOutcome:
    """Replace the cached assistant list with Telnyx's. A failure leaves the cache as it was."""

    def fetch() -> list[dict]:
        return (get_client().get("ai/assistants").data or {}).get("data") or []

    return run_sync(RESOURCE, fetch, lambda items: replace_cache(Assistant, items, assistant_fields))


def assistant_fetch(*, user, assistant_id: str) -> LiveOrCached:
    """The assistant as Telnyx has it now (cached as it comes), or the cached copy if Telnyx fails."""
    require_perm(user, READ)

    return live_or_cached_row(
        Assistant.objects.filter(telnyx_id=assistant_id),
        lambda: get_client().get(f"ai/assistants/{assistant_id}").data,
        assistant_cache_put,
    )


def assistant_create(*, user, data: dict, idempotency_key: str = "") -> dict:
    """Create an assistant in Telnyx, cache and audit it, and return Telnyx's object.

    `idempotency_key` comes from the form, so a resubmitted form cannot create a twin.
    """
    require_perm(user, ADMINISTER)
    body = {k: v for k, v in data.items() if v not in (None, "", [])}
    label = str(body.get("name", ""))
    try:
        response = get_client().post(
            "ai/assistants", json=body, idempotency_key=idempotency_key or new_idempotency_key()
        )
    except TelnyxError as exc:
        audit.record(
            user=user, action="create", resource_type=RESOURCE_TYPE, resource_label=label,
            summary=f"Tried to create assistant “{label}”", changes=audit.diff(None, body), error=exc,
        )
        raise
    created = response.data
    with transaction.atomic():
        assistant_cache_put(created)
        audit.record(
            user=user, action="create", resource_type=RESOURCE_TYPE, resource_id=created["id"],
            resource_label=created.get("name", label), summary=f"Created assistant “{created.get('name', label)}”",
            changes=audit.diff(None, body), response=response,
        )
    return created


def assistant_delete(*, user, assistant_id: str) -> bool:
    """Delete an assistant in Telnyx (soft: restorable for 30 days) and drop it from the cache.

    Returns False when Telnyx no longer had it (the cached row is dropped all the same).
    """
    require_perm(user, ADMINISTER)
    row = Assistant.objects.filter(telnyx_id=assistant_id).first()
    label = row.name if row else assistant_id
    try:
        response = get_client().delete(f"ai/assistants/{assistant_id}")
    except NotFoundError as exc:
        Assistant.objects.filter(telnyx_id=assistant_id).delete()
        audit.record(
            user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=assistant_id,
            resource_label=label, summary=f"Assistant “{label}” was already gone in Telnyx", error=exc,
        )
        return False
    except TelnyxError as exc:
        audit.record(
            user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=assistant_id,
            resource_label=label, summary=f"Tried to delete assistant “{label}”", error=exc,
        )
        raise
    with transaction.atomic():
        Assistant.objects.filter(telnyx_id=assistant_id).delete()
        audit.record(
            user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=assistant_id,
            resource_label=label, summary=f"Deleted assistant “{label}” (restorable for 30 days)",
            response=response,
        )
    return True
