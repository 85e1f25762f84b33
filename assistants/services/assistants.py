"""Assistant reads and writes: through the resource layer and the one write path.

Every public function checks the acting user's permission itself, so no view can skip it.
"""

from __future__ import annotations

from assistants.models import Assistant, KnownTag
from core import audit
from core.cache import cache_delete, cache_put
from core.live import LiveOrCached, live_or_cached_row
from core.sync import SyncOutcome, replace_cache, run_sync
from core.types import PortalUser
from core.writes import telnyx_write
from portal.roles import ADMINISTER, READ, require_perm
from portal.telnyx import NotFoundError, TelnyxError, new_idempotency_key
from portal.telnyx.dates import parse_date
from portal.telnyx.resources import assistants as assistants_api
from portal.telnyx.resources import tags as tags_api

RESOURCE = "assistants"
RESOURCE_TYPE = "assistant"


def assistant_fields(item: dict) -> dict:
    """The cache columns of one API assistant object."""
    tags = [str(t) for t in (item.get("tags") or [])]
    created = parse_date(item.get("created_at"))
    return {
        "telnyx_id": item["id"],
        "name": str(item.get("name") or "")[:300],
        "model": str(item.get("model") or "")[:200],
        "description": str(item.get("description") or ""),
        "instructions": str(item.get("instructions") or ""),
        "tags": tags,
        "tags_index": ("|" + "|".join(tags) + "|")[:1000] if tags else "",
        "created_at": created,
        "updated_at": parse_date(item.get("version_created_at")) or created,
        "version_id": str(item.get("version_id") or ""),
    }


def assistant_cache_put(item: dict) -> Assistant:
    """Write one API object into the cache (insert or update)."""
    return cache_put(Assistant, item, assistant_fields)


def assistants_sync() -> SyncOutcome:
    """Replace the cached assistant list with Telnyx's, every page, and the tags Telnyx lists as
    in use. A failure leaves the cache as it was; a failed tag read keeps the known tags."""
    tags: list[list[str]] = []

    def fetch() -> list[dict]:
        items = list(assistants_api.list_all())
        try:
            tags.append(tags_api.list_all())
        except TelnyxError:
            pass
        return items

    def store(items: list[dict]) -> int:
        count = replace_cache(Assistant, items, assistant_fields)
        if tags:
            KnownTag.objects.exclude(name__in=tags[0]).delete()
            KnownTag.objects.bulk_create([KnownTag(name=t[:200]) for t in tags[0]], ignore_conflicts=True)
        return count

    return run_sync(RESOURCE, fetch, store)


def assistant_fetch(*, user: PortalUser, assistant_id: str) -> LiveOrCached:
    """The assistant as Telnyx has it now (cached as it comes), or the cached copy if Telnyx fails."""
    require_perm(user, READ)
    return live_or_cached_row(Assistant.objects.filter(telnyx_id=assistant_id),
                              lambda: assistants_api.retrieve(assistant_id), assistant_cache_put)


def assistant_create(*, user: PortalUser, data: dict, idempotency_key: str = "") -> dict:
    """Create an assistant in Telnyx, cache and audit it, and return Telnyx's object.

    `idempotency_key` comes from the form, so a resubmitted form cannot create a twin.
    """
    require_perm(user, ADMINISTER)
    body = {k: v for k, v in data.items() if v not in (None, "", [])}
    label = str(body.get("name", ""))
    response = telnyx_write(
        lambda: assistants_api.create(body, idempotency_key=idempotency_key or new_idempotency_key()),
        user=user, action="create", resource_type=RESOURCE_TYPE, resource_id=lambda r: r.data["id"], label=label,
        summary=f"Created assistant “{label}”", failure_summary=f"Tried to create assistant “{label}”",
        changes=audit.diff(None, body), store=lambda r: assistant_cache_put(r.data),
    )
    return response.data


def assistant_delete(*, user: PortalUser, assistant_id: str, hard: bool = False) -> bool:
    """Delete an assistant in Telnyx (soft: restorable for 30 days; `hard`: gone for good at
    once) and drop it from the cache.

    Returns False when Telnyx no longer had it (the cached row is dropped all the same).
    """
    require_perm(user, ADMINISTER)
    rows = Assistant.objects.filter(telnyx_id=assistant_id)
    label = rows.values_list("name", flat=True).first() or assistant_id
    how = "permanently, cannot be restored" if hard else "restorable for 30 days"
    try:
        telnyx_write(
            lambda: assistants_api.delete(assistant_id, hard=hard),
            user=user, action="hard_delete" if hard else "delete", resource_type=RESOURCE_TYPE, resource_id=assistant_id,
            label=label, summary=f"Deleted assistant “{label}” ({how})",
            failure_summary=f"Tried to delete assistant “{label}”", store=lambda r: cache_delete(rows),
        )
    except NotFoundError:
        cache_delete(rows)  # Telnyx no longer has it: the failed attempt is audited, the stale row goes
        return False
    return True
