"""Assistant lifecycle beyond create/delete: clone, recently deleted and restore, import.

Same rule as every write here: Telnyx first, then the cache takes Telnyx's answer, then the
audit log; a failure is audited and re-raised with the cache untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from core import audit
from portal.roles import ADMINISTER, READ, require_perm
from portal.telnyx import TelnyxError, get_client, new_idempotency_key

from assistants.models import Assistant
from assistants.services.assistants import RESOURCE_TYPE, assistant_cache_put
from assistants.services.versions import CanaryDeploy, canary_fetch

DELETED_PAGE_SIZE = 20
IMPORT_PROVIDERS = ("elevenlabs", "vapi", "retell")


def assistant_clone(*, user, assistant_id: str, idempotency_key: str = "") -> dict:
    """Clone an assistant (Telnyx leaves out telephony and messaging settings); returns the clone."""
    require_perm(user, ADMINISTER)
    row = Assistant.objects.filter(telnyx_id=assistant_id).first()
    label = row.name if row else assistant_id
    try:
        response = get_client().post(f"ai/assistants/{assistant_id}/clone",
                                     idempotency_key=idempotency_key or new_idempotency_key())
    except TelnyxError as exc:
        audit.record(user=user, action="clone", resource_type=RESOURCE_TYPE, resource_id=assistant_id,
                     resource_label=label, summary=f"Tried to clone assistant “{label}”", error=exc)
        raise
    clone = response.data
    with transaction.atomic():
        assistant_cache_put(clone)
        audit.record(user=user, action="clone", resource_type=RESOURCE_TYPE, resource_id=clone["id"],
                     resource_label=clone.get("name", ""), response=response,
                     summary=f"Cloned assistant “{label}” ({assistant_id}) as “{clone.get('name', '')}”")
    return clone


@dataclass
class DeletedPage:
    """One page of Telnyx's "Recently deleted" listing (not cached: it is read live)."""

    items: list[dict]
    number: int
    total_pages: int
    total: int


def deleted_list(*, user, page: int = 1) -> DeletedPage:
    """A page of soft-deleted assistants, restorable until `permanently_deleted_at`."""
    require_perm(user, READ)
    body = get_client().get("ai/assistants/deleted",
                            params={"page[number]": page, "page[size]": DELETED_PAGE_SIZE}).data or {}
    meta = body.get("meta") or {}
    return DeletedPage(items=body.get("data") or [], number=int(meta.get("page_number") or page),
                       total_pages=int(meta.get("total_pages") or 1), total=int(meta.get("total_results") or 0))


def assistant_restore(*, user, assistant_id: str, label: str = "") -> dict:
    """Restore a soft-deleted assistant; it comes back into the cached list."""
    require_perm(user, ADMINISTER)
    label = label or assistant_id
    try:
        response = get_client().post(f"ai/assistants/{assistant_id}/restore")
    except TelnyxError as exc:
        audit.record(user=user, action="restore", resource_type=RESOURCE_TYPE, resource_id=assistant_id,
                     resource_label=label, summary=f"Tried to restore assistant “{label}”", error=exc)
        raise
    restored = response.data
    with transaction.atomic():
        assistant_cache_put(restored)
        audit.record(user=user, action="restore", resource_type=RESOURCE_TYPE, resource_id=assistant_id,
                     resource_label=restored.get("name", label), response=response,
                     summary=f"Restored assistant “{restored.get('name', label)}”")
    return restored


def assistants_import(*, user, provider: str, api_key_ref: str, import_ids: list[str],
                      idempotency_key: str = "") -> list[dict]:
    """Import assistants from another provider (already imported ones are overwritten)."""
    require_perm(user, ADMINISTER)
    body: dict = {"provider": provider, "api_key_ref": api_key_ref}
    if import_ids:
        body["import_ids"] = import_ids
    try:
        response = get_client().post("ai/assistants/import", json=body,
                                     idempotency_key=idempotency_key or new_idempotency_key())
    except TelnyxError as exc:
        audit.record(user=user, action="import", resource_type=RESOURCE_TYPE, resource_label=provider,
                     summary=f"Tried to import assistants from {provider}", changes=audit.diff(None, body), error=exc)
        raise
    imported = (response.data or {}).get("data") or []
    with transaction.atomic():
        for item in imported:
            assistant_cache_put(item)
        names = ", ".join(f"“{item.get('name', '')}”" for item in imported)
        audit.record(user=user, action="import", resource_type=RESOURCE_TYPE, resource_label=provider,
                     summary=f"Imported {len(imported)} assistant(s) from {provider}: {names}",
                     changes=audit.diff(None, body), response=response)
    return imported


@dataclass
class DeleteImpact:
    """What deleting an assistant takes with it, for the confirmation page (None = unknown)."""

    versions: int | None
    canary: CanaryDeploy | None


def delete_impact(*, user, assistant_id: str) -> DeleteImpact:
    """Count the versions and read the canary; a failing read leaves that part unknown."""
    require_perm(user, READ)
    try:
        versions = len((get_client().get(f"ai/assistants/{assistant_id}/versions").data or {}).get("data") or [])
    except TelnyxError:
        versions = None
    try:
        canary = canary_fetch(user=user, assistant_id=assistant_id)
    except TelnyxError:
        canary = None
    return DeleteImpact(versions=versions, canary=canary)


def assistant_texml(*, user, assistant_id: str) -> str:
    """The TeXML document that connects a call to the assistant (a read)."""
    require_perm(user, READ)
    return str(get_client().get(f"ai/assistants/{assistant_id}/texml", accept="text/plain").data or "")
