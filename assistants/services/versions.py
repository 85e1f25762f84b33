"""Assistant versions: the one list reader, sync, read one, edit or delete a non-main one,
promote, roll back. Writes go through `core.writes.telnyx_write`: Telnyx first, then the cache
takes Telnyx's answer and the audit log records it, in one transaction."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from assistants.models import Assistant, AssistantVersion, CanaryConfig, PromotionRecord
from assistants.services.assistants import RESOURCE_TYPE, assistant_cache_put
from assistants.services.canary import CanaryDeploy, canary_fetch, remember_canary
from assistants.services.conflicts import refuse_if_stale
from core import audit
from core.cache import cache_delete, cache_put, cache_update
from core.live import LiveOrCached, live_or_cached_row
from core.sync import SyncOutcome, replace_cache, run_sync
from core.types import PortalUser
from core.writes import telnyx_write
from portal.roles import ADMINISTER, READ, require_perm
from portal.telnyx import TelnyxError, TelnyxResponse, new_idempotency_key
from portal.telnyx.dates import parse_date
from portal.telnyx.resources import assistants as assistants_api
from portal.telnyx.resources import versions as versions_api

VERSIONS_FAMILY = "versions"


def versions_resource(assistant_id: str) -> str:
    """The SyncState name of one assistant's version list (max 100 chars)."""
    return f"{VERSIONS_FAMILY}:{assistant_id}"[:100]


def version_key(assistant_id: str, version_id: str) -> str:
    return f"{assistant_id}:{version_id}"


def version_fields(item: dict, *, assistant_id: str, main_version_id: str) -> dict:
    """The cache columns of one API version object."""
    version_id = str(item.get("version_id") or "")
    return {
        "telnyx_id": version_key(assistant_id, version_id),
        "assistant_id": assistant_id,
        "version_id": version_id,
        "name": str(item.get("version_name") or "")[:300],
        "created_at": parse_date(item.get("version_created_at") or item.get("created_at")),
        "is_main": bool(main_version_id) and version_id == main_version_id,
    }


def version_list(*, user: PortalUser, assistant_id: str) -> list[dict]:
    """Every version Telnyx keeps for the assistant, as Telnyx answers them (the one list reader)."""
    require_perm(user, READ)
    return versions_api.list_all(assistant_id)


def version_choices(*, user: PortalUser, assistant_id: str) -> list[dict]:
    """The assistant's versions, newest first: `{id, name, created_at}` for selects and labels."""
    return [
        {"id": item["version_id"], "name": item.get("version_name") or "",
         "created_at": parse_date(item.get("version_created_at"))}
        for item in version_list(user=user, assistant_id=assistant_id)
        if item.get("version_id")
    ]


def versions_sync(*, assistant_id: str, user: PortalUser | None = None) -> SyncOutcome:
    """Replace this assistant's cached versions with Telnyx's list; main comes from the assistant.

    Runs on the worker (the "versions" listing family, see assistants/tasks.py); `user` is
    checked when a request calls it directly."""
    if user is not None:
        require_perm(user, READ)
    main: dict = {}

    def fetch() -> list[dict]:
        main.update(assistants_api.retrieve(assistant_id))
        return versions_api.list_all(assistant_id)

    def store(items: list[dict]) -> int:
        assistant_cache_put(main)
        to_fields = lambda item: version_fields(item, assistant_id=assistant_id, main_version_id=main.get("version_id", ""))  # noqa: E731
        return replace_cache(AssistantVersion, items, to_fields, scope=Q(assistant_id=assistant_id))

    return run_sync(versions_resource(assistant_id), fetch, store)


def version_cache_put(item: dict, *, assistant_id: str, main_version_id: str) -> AssistantVersion:
    return cache_put(AssistantVersion, item,
                     lambda i: version_fields(i, assistant_id=assistant_id, main_version_id=main_version_id))


def mark_main(assistant_id: str, version_id: str) -> None:
    rows = AssistantVersion.objects.filter(assistant_id=assistant_id)
    cache_update(rows.exclude(version_id=version_id), is_main=False)
    cache_update(rows.filter(version_id=version_id), is_main=True)


def version_fetch(*, user: PortalUser, assistant_id: str, version_id: str) -> LiveOrCached:
    """One version as Telnyx has it now, or the cached copy (with `.error`) if Telnyx fails."""
    require_perm(user, READ)
    return live_or_cached_row(
        AssistantVersion.objects.filter(telnyx_id=version_key(assistant_id, version_id)),
        lambda: versions_api.retrieve(assistant_id, version_id),
    )


def _label(assistant_id: str, version_id: str) -> str:
    name = AssistantVersion.objects.filter(telnyx_id=version_key(assistant_id, version_id)).values_list("name", flat=True).first()
    assistant = Assistant.objects.filter(telnyx_id=assistant_id).values_list("name", flat=True).first()
    return f"{assistant or assistant_id} · {name or version_id}"


def version_update(*, user: PortalUser, assistant_id: str, version_id: str, changes: dict, before: dict,
                   idempotency_key: str = "", loaded: dict | None = None) -> dict:
    """Edit a non-main version in place (Telnyx refuses the main one). `before` is the version
    as Telnyx has it now; a stale `loaded` raises StaleFormError (see `assistant_update`)."""
    require_perm(user, ADMINISTER)
    refuse_if_stale(loaded=loaded, current=before, changes=changes, what="this version")
    label = _label(assistant_id, version_id)

    def store(response: TelnyxResponse) -> None:
        main = Assistant.objects.filter(telnyx_id=assistant_id).values_list("version_id", flat=True).first() or ""
        version_cache_put(response.data, assistant_id=assistant_id, main_version_id=main)

    response = telnyx_write(
        lambda: versions_api.update(assistant_id, version_id, changes, idempotency_key=idempotency_key or new_idempotency_key()),
        user=user, action="update version", resource_type=RESOURCE_TYPE, resource_id=assistant_id, label=label,
        summary=f"Edited version “{label}” ({version_id})", failure_summary=f"Tried to edit version “{label}” ({version_id})",
        changes=audit.diff({k: before.get(k) for k in changes}, changes), store=store,
    )
    return response.data


def version_delete(*, user: PortalUser, assistant_id: str, version_id: str) -> None:
    """Delete a non-main version (Telnyx refuses the main one and, in the sandbox, canaried ones)."""
    require_perm(user, ADMINISTER)
    label = _label(assistant_id, version_id)
    telnyx_write(
        lambda: versions_api.delete(assistant_id, version_id),
        user=user, action="delete version", resource_type=RESOURCE_TYPE, resource_id=assistant_id, label=label,
        summary=f"Deleted version “{label}” ({version_id})", failure_summary=f"Tried to delete version “{label}” ({version_id})",
        store=lambda r: cache_delete(AssistantVersion.objects.filter(telnyx_id=version_key(assistant_id, version_id))),
    )


def version_promote(*, user: PortalUser, assistant_id: str, version_id: str, from_version_id: str,
                    kind: str = PromotionRecord.Kind.PROMOTE, idempotency_key: str = "") -> dict:
    """Make `version_id` main (Telnyx drops any canary deploy). Remembers the previous main
    (`from_version_id`) so the promotion can be rolled back; `kind` is promote or rollback."""
    require_perm(user, ADMINISTER)
    label = _label(assistant_id, version_id)
    verb = "Rolled back" if kind == PromotionRecord.Kind.ROLLBACK else "Promoted"
    acting = user if user.is_authenticated else None
    try:
        # Telnyx drops the canary on promotion; read it first so the split history keeps it.
        canary = canary_fetch(user=user, assistant_id=assistant_id)
    except TelnyxError:
        canary = CanaryDeploy()

    def store(response: TelnyxResponse) -> None:
        promoted = response.data
        assistant_cache_put(promoted)
        mark_main(assistant_id, promoted.get("version_id") or version_id)
        remember_canary(assistant_id, None)  # Telnyx dropped it with the promotion
        PromotionRecord.objects.create(assistant_id=assistant_id, from_version_id=from_version_id,
                                       to_version_id=version_id, user=acting, kind=kind)
        if canary.rules:
            CanaryConfig.objects.create(assistant_id=assistant_id, rules=canary.rules, kind=CanaryConfig.Kind.DELETED,
                                        user=acting, username=user.get_username(),
                                        saved_at=timezone.now())

    response = telnyx_write(
        lambda: versions_api.promote(assistant_id, version_id, idempotency_key=idempotency_key or new_idempotency_key()),
        user=user, action=kind, resource_type=RESOURCE_TYPE, resource_id=assistant_id, label=label,
        summary=f"{verb} to “{label}”: it is now main and gets all traffic; any canary deploy was removed",
        failure_summary=f"Tried to make “{label}” main ({kind})",
        changes={"main version": {"before": from_version_id, "after": version_id}}, store=store,
    )
    return response.data


def rollback_target(*, assistant_id: str, main_version_id: str) -> PromotionRecord | None:
    """The last change of main whose previous version can be made main again, if any."""
    record = PromotionRecord.objects.filter(assistant_id=assistant_id).first()
    if record is None or record.from_version_id in ("", main_version_id) or record.to_version_id != main_version_id:
        return None
    # A previous main Telnyx no longer has (deleted here, or gone from the synced versions) is
    # nothing to roll back to. With no versions cached yet there is nothing to tell by: offer it.
    cached = AssistantVersion.objects.filter(assistant_id=assistant_id)
    if cached.exists() and not cached.filter(version_id=record.from_version_id).exists():
        return None
    return record


def version_rollback(*, user: PortalUser, assistant_id: str, main_version_id: str, idempotency_key: str = "") -> dict:
    """Promote the previous main again (recorded as a `rollback`)."""
    require_perm(user, ADMINISTER)
    record = rollback_target(assistant_id=assistant_id, main_version_id=main_version_id)
    if record is None:
        raise ValueError("There is no earlier main version to roll back to.")
    return version_promote(user=user, assistant_id=assistant_id, version_id=record.from_version_id,
                           from_version_id=main_version_id, kind=PromotionRecord.Kind.ROLLBACK,
                           idempotency_key=idempotency_key)
