"""Assistant versions: sync the list, read one, edit or delete a non-main one, promote, roll back.

Writes follow the slice's rule: Telnyx first, then the cache takes Telnyx's answer, then the
audit log (failures are audited and re-raised, the cache untouched).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core import audit
from core.live import LiveOrCached, live_or_cached_row
from portal.roles import ADMINISTER, READ, require_perm
from core.sync import SyncOutcome, replace_cache, run_sync
from portal.telnyx import NotFoundError, TelnyxError, get_client

from assistants.models import Assistant, AssistantVersion, CanaryConfig, PromotionRecord
from assistants.services.assistants import RESOURCE_TYPE, assistant_cache_put



def versions_resource(assistant_id: str) -> str:
    """The SyncState name of one assistant's version list (max 100 chars)."""
    return f"versions:{assistant_id}"[:100]


def version_key(assistant_id: str, version_id: str) -> str:
    return f"{assistant_id}:{version_id}"


def version_fields(item: dict, *, assistant_id: str, main_version_id: str) -> dict:
    """The cache columns of one API version object."""
    version_id = str(item.get("version_id") or "")
    created = item.get("version_created_at") or item.get("created_at")
    return {
        "telnyx_id": version_key(assistant_id, version_id),
        "assistant_id": assistant_id,
        "version_id": version_id,
        "name": str(item.get("version_name") or "")[:300],
        "created_at": parse_datetime(str(created)) if created else None,
        "is_main": bool(main_version_id) and version_id == main_version_id,
    }


def versions_sync(*, user, assistant_id: str) -> SyncOutcome:
    """Replace this assistant's cached versions with Telnyx's list; main comes from the assistant."""
    require_perm(user, READ)
    main: dict = {}

    def fetch() -> list[dict]:
        main.update(get_client().get(f"ai/assistants/{assistant_id}").data or {})
        return (get_client().get(f"ai/assistants/{assistant_id}/versions").data or {}).get("data") or []

    def store(items: list[dict]) -> int:
        assistant_cache_put(main)
        to_fields = lambda item: version_fields(item, assistant_id=assistant_id, main_version_id=main.get("version_id", ""))  # noqa: E731
        return replace_cache(AssistantVersion, items, to_fields, scope=Q(assistant_id=assistant_id))

    return run_sync(versions_resource(assistant_id), fetch, store)


def version_cache_put(item: dict, *, assistant_id: str, main_version_id: str) -> AssistantVersion:
    fields = version_fields(item, assistant_id=assistant_id, main_version_id=main_version_id)
    row, _ = AssistantVersion.objects.update_or_create(
        telnyx_id=fields.pop("telnyx_id"), defaults={**fields, "payload": item, "synced_at": timezone.now()}
    )
    return row


def mark_main(assistant_id: str, version_id: str) -> None:
    rows = AssistantVersion.objects.filter(assistant_id=assistant_id)
    rows.exclude(version_id=version_id).update(is_main=False)
    rows.filter(version_id=version_id).update(is_main=True)


def version_fetch(*, user, assistant_id: str, version_id: str) -> LiveOrCached:
    """One version as Telnyx has it now, or the cached copy (with `.error`) if Telnyx fails."""
    require_perm(user, READ)

    return live_or_cached_row(
        AssistantVersion.objects.filter(telnyx_id=version_key(assistant_id, version_id)),
        lambda: get_client().get(f"ai/assistants/{assistant_id}/versions/{version_id}").data,
    )


@dataclass
class CanaryDeploy:
    """The assistant's canary deploy, read for display: the rules and the versions they serve."""

    rules: list[dict]

    @property
    def splits(self) -> list[tuple[str, float | None]]:
        """(version id, weight) per version served; weight None = a whole rule serves it."""
        found = []
        for rule in self.rules:
            serve = rule.get("serve") or {}
            if serve.get("version_id"):
                found.append((serve["version_id"], None))
            for slot in serve.get("rollout") or []:
                found.append((slot.get("version_id", ""), slot.get("weight")))
        return found

    @property
    def version_ids(self) -> set[str]:
        return {version_id for version_id, _ in self.splits}


def canary_fetch(*, user, assistant_id: str) -> CanaryDeploy | None:
    """The canary deploy, or None when there is none (Telnyx answers 404)."""
    require_perm(user, READ)
    try:
        data = get_client().get(f"ai/assistants/{assistant_id}/canary-deploys").data or {}
    except NotFoundError:
        return None
    return CanaryDeploy(rules=data.get("rules") or [])


def _label(assistant_id: str, version_id: str) -> str:
    row = AssistantVersion.objects.filter(telnyx_id=version_key(assistant_id, version_id)).first()
    assistant = Assistant.objects.filter(telnyx_id=assistant_id).first()
    name = assistant.name if assistant else assistant_id
    return f"{name} · {row.name if row and row.name else version_id}"


def version_update(*, user, assistant_id: str, version_id: str, changes: dict, before: dict) -> dict:
    """Edit a non-main version in place (Telnyx refuses the main one)."""
    require_perm(user, ADMINISTER)
    label = _label(assistant_id, version_id)
    change_log = audit.diff({k: before.get(k) for k in changes}, changes)
    try:
        response = get_client().post(f"ai/assistants/{assistant_id}/versions/{version_id}", json=changes)
    except TelnyxError as exc:
        audit.record(user=user, action="update version", resource_type=RESOURCE_TYPE, resource_id=assistant_id,
                     resource_label=label, summary=f"Tried to edit version “{label}” ({version_id})", changes=change_log,
                     error=exc)
        raise
    updated = response.data
    with transaction.atomic():
        main = Assistant.objects.filter(telnyx_id=assistant_id).values_list("version_id", flat=True).first() or ""
        version_cache_put(updated, assistant_id=assistant_id, main_version_id=main)
        audit.record(user=user, action="update version", resource_type=RESOURCE_TYPE, resource_id=assistant_id,
                     resource_label=label, summary=f"Edited version “{label}” ({version_id})", changes=change_log,
                     response=response)
    return updated


def version_delete(*, user, assistant_id: str, version_id: str) -> None:
    """Delete a non-main version (Telnyx refuses the main one and, in the sandbox, canaried ones)."""
    require_perm(user, ADMINISTER)
    label = _label(assistant_id, version_id)
    try:
        response = get_client().delete(f"ai/assistants/{assistant_id}/versions/{version_id}")
    except TelnyxError as exc:
        audit.record(user=user, action="delete version", resource_type=RESOURCE_TYPE, resource_id=assistant_id,
                     resource_label=label, summary=f"Tried to delete version “{label}” ({version_id})", error=exc)
        raise
    with transaction.atomic():
        AssistantVersion.objects.filter(telnyx_id=version_key(assistant_id, version_id)).delete()
        audit.record(user=user, action="delete version", resource_type=RESOURCE_TYPE, resource_id=assistant_id,
                     resource_label=label, summary=f"Deleted version “{label}” ({version_id})", response=response)


def version_promote(*, user, assistant_id: str, version_id: str, from_version_id: str,
                    kind: str = PromotionRecord.Kind.PROMOTE) -> dict:
    """Make `version_id` main (Telnyx drops any canary deploy). Remembers the previous main
    (`from_version_id`) so the promotion can be rolled back; `kind` is promote or rollback."""
    require_perm(user, ADMINISTER)
    label = _label(assistant_id, version_id)
    verb = "Rolled back" if kind == PromotionRecord.Kind.ROLLBACK else "Promoted"
    changes = {"main version": {"before": from_version_id, "after": version_id}}
    try:
        # Telnyx drops the canary on promotion; read it first so the split history keeps it.
        canary = canary_fetch(user=user, assistant_id=assistant_id)
    except TelnyxError:
        canary = None
    try:
        response = get_client().post(f"ai/assistants/{assistant_id}/versions/{version_id}/promote")
    except TelnyxError as exc:
        audit.record(user=user, action=kind, resource_type=RESOURCE_TYPE, resource_id=assistant_id,
                     resource_label=label, summary=f"Tried to make “{label}” main ({kind})", changes=changes, error=exc)
        raise
    promoted = response.data
    with transaction.atomic():
        assistant_cache_put(promoted)
        mark_main(assistant_id, promoted.get("version_id") or version_id)
        PromotionRecord.objects.create(assistant_id=assistant_id, from_version_id=from_version_id,
                                       to_version_id=version_id, user=user if user.is_authenticated else None, kind=kind)
        if canary and canary.rules:
            CanaryConfig.objects.create(
                assistant_id=assistant_id, rules=canary.rules, kind=CanaryConfig.Kind.DELETED,
                user=user if user.is_authenticated else None, username=user.username, saved_at=timezone.now(),
            )
        summary = f"{verb} to “{label}”: it is now main and gets all traffic; any canary deploy was removed"
        audit.record(user=user, action=kind, resource_type=RESOURCE_TYPE, resource_id=assistant_id,
                     resource_label=label, summary=summary, changes=changes, response=response)
    return promoted


def rollback_target(*, assistant_id: str, main_version_id: str) -> PromotionRecord | None:
    """The last change of main whose previous version can be made main again, if any."""
    record = PromotionRecord.objects.filter(assistant_id=assistant_id).first()
    if record is None or record.from_version_id in ("", main_version_id) or record.to_version_id != main_version_id:
        return None
    return record


def version_rollback(*, user, assistant_id: str, main_version_id: str) -> dict:
    """Promote the previous main again (recorded as a `rollback`)."""
    require_perm(user, ADMINISTER)
    record = rollback_target(assistant_id=assistant_id, main_version_id=main_version_id)
    if record is None:
        raise ValueError("There is no earlier main version to roll back to.")
    return version_promote(user=user, assistant_id=assistant_id, version_id=record.from_version_id,
                           from_version_id=main_version_id, kind=PromotionRecord.Kind.ROLLBACK)
