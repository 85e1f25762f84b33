"""Assistant lifecycle beyond create/delete: clone, recently deleted and restore, import, TeXML.

Writes go through `core.writes.telnyx_write`: Telnyx first, then the cache takes Telnyx's
answer and the audit log records it; a failure is audited and re-raised, the cache untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistants.models import Assistant
from assistants.services.assistants import RESOURCE_TYPE, assistant_cache_put
from assistants.services.canary import CanaryDeploy, canary_fetch
from assistants.services.versions import version_list
from core import audit
from core.changelist import MAX_PAGE
from core.types import PortalUser
from core.writes import telnyx_write
from portal.roles import ADMINISTER, READ, require_perm
from portal.telnyx import TelnyxError, TelnyxResponse, new_idempotency_key
from portal.telnyx.resources import assistants as assistants_api
from portal.telnyx.resources.assistants import DeletedPage

DELETED_PAGE_SIZE = 20
IMPORT_PROVIDERS = ("elevenlabs", "vapi", "retell")


def assistant_clone(*, user: PortalUser, assistant_id: str, idempotency_key: str = "") -> dict:
    """Clone an assistant (Telnyx leaves out telephony and messaging settings); returns the clone."""
    require_perm(user, ADMINISTER)
    label = Assistant.objects.filter(telnyx_id=assistant_id).values_list("name", flat=True).first() or assistant_id
    response = telnyx_write(
        lambda: assistants_api.clone(assistant_id, idempotency_key=idempotency_key or new_idempotency_key()),
        user=user, action="clone", resource_type=RESOURCE_TYPE, resource_id=lambda r: r.data["id"], label=label,
        summary=lambda r: f"Cloned assistant “{label}” ({assistant_id}) as “{r.data.get('name', '')}”",
        failure_summary=f"Tried to clone assistant “{label}”", store=lambda r: assistant_cache_put(r.data),
    )
    return response.data


def deleted_list(*, user: PortalUser, page: int = 1) -> DeletedPage:
    """A page of soft-deleted assistants, restorable until `permanently_deleted_at` (read live).

    `page` is clamped to 1..MAX_PAGE before Telnyx sees it; past the last page, the last page."""
    require_perm(user, READ)
    page = min(max(page, 1), MAX_PAGE)
    answer = assistants_api.list_deleted(page=page, page_size=DELETED_PAGE_SIZE)
    if page > answer.total_pages >= 1:
        answer = assistants_api.list_deleted(page=answer.total_pages, page_size=DELETED_PAGE_SIZE)
    return answer


def assistant_restore(*, user: PortalUser, assistant_id: str, label: str = "") -> dict:
    """Restore a soft-deleted assistant; it comes back into the cached list."""
    require_perm(user, ADMINISTER)
    label = label or assistant_id
    response = telnyx_write(
        lambda: assistants_api.restore(assistant_id),
        user=user, action="restore", resource_type=RESOURCE_TYPE, resource_id=assistant_id, label=label,
        summary=lambda r: f"Restored assistant “{r.data.get('name', label)}”",
        failure_summary=f"Tried to restore assistant “{label}”", store=lambda r: assistant_cache_put(r.data),
    )
    return response.data


def assistants_import(*, user: PortalUser, provider: str, api_key_ref: str, import_ids: list[str],
                      idempotency_key: str = "") -> list[dict]:
    """Import assistants from another provider (already imported ones are overwritten)."""
    require_perm(user, ADMINISTER)
    body: dict = {"provider": provider, "api_key_ref": api_key_ref}
    if import_ids:
        body["import_ids"] = import_ids

    def store(response: TelnyxResponse) -> None:
        for item in response.data:
            assistant_cache_put(item)

    def summary(response: TelnyxResponse) -> str:
        names = ", ".join(f"“{item.get('name', '')}”" for item in response.data)
        return f"Imported {len(response.data)} assistant(s) from {provider}: {names}"

    response = telnyx_write(
        lambda: assistants_api.imports(body, idempotency_key=idempotency_key or new_idempotency_key()),
        user=user, action="import", resource_type=RESOURCE_TYPE, label=provider, summary=summary,
        failure_summary=f"Tried to import assistants from {provider}", changes=audit.diff(None, body), store=store,
    )
    return response.data


@dataclass
class DeleteImpact:
    """What deleting an assistant takes with it, for the confirmation page (None = unknown)."""

    versions: int | None
    canary: CanaryDeploy | None


def delete_impact(*, user: PortalUser, assistant_id: str) -> DeleteImpact:
    """Count the versions and read the canary; a failing read leaves that part unknown."""
    require_perm(user, READ)
    try:
        versions: int | None = len(version_list(user=user, assistant_id=assistant_id))
    except TelnyxError:
        versions = None
    try:
        canary = canary_fetch(user=user, assistant_id=assistant_id)
    except TelnyxError:
        canary = None
    return DeleteImpact(versions=versions, canary=canary if canary is None or canary.exists else None)


def assistant_texml(*, user: PortalUser, assistant_id: str) -> str:
    """The TeXML document that connects a call to the assistant (a read)."""
    require_perm(user, READ)
    return assistants_api.get_texml(assistant_id)
