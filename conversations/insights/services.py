"""Insight templates and groups: syncs and Admin writes, through the resource layer and the one write path."""

from __future__ import annotations

from conversations.models import InsightGroup, InsightTemplate
from core import audit
from core.cache import cache_delete, cache_put
from core.live import LiveOrCached, live_or_cached_row
from core.sync import SyncOutcome, replace_cache, run_sync
from core.types import PortalUser
from core.writes import telnyx_write
from portal.roles import ADMINISTER, require_perm
from portal.telnyx import new_idempotency_key
from portal.telnyx.dates import parse_date
from portal.telnyx.resources import insights as insights_api

TEMPLATES = "insight_templates"
GROUPS = "insight_groups"
TEMPLATE_TYPE = "insight_template"
GROUP_TYPE = "insight_group"


def template_fields(item: dict) -> dict:
    return {
        "telnyx_id": item["id"],
        "name": str(item.get("name") or "")[:300],
        "insight_type": str(item.get("insight_type") or "")[:20],
        "instructions": str(item.get("instructions") or ""),
        "created_at": parse_date(item.get("created_at")),
    }


def group_fields(item: dict) -> dict:
    return {
        "telnyx_id": item["id"],
        "name": str(item.get("name") or "")[:300],
        "description": str(item.get("description") or ""),
        "template_count": len(item.get("insights") or []),
        "created_at": parse_date(item.get("created_at")),
    }


def templates_sync() -> SyncOutcome:
    return run_sync(TEMPLATES, insights_api.templates_list_all, lambda items: replace_cache(InsightTemplate, items, template_fields))


def groups_sync() -> SyncOutcome:
    return run_sync(GROUPS, insights_api.groups_list_all, lambda items: replace_cache(InsightGroup, items, group_fields))


def _save(*, user: PortalUser, data: dict, object_id: str, idempotency_key: str, model, resource_type: str,
          noun: str, create, update, fields):
    """Create (no `object_id`) or update a template or group: Telnyx, then the cache, audited
    with the changed keys."""
    require_perm(user, ADMINISTER)
    before = model.objects.filter(telnyx_id=object_id).first() if object_id else None
    label = data.get("name", "")
    if object_id:
        call = lambda: update(object_id, data)  # noqa: E731
    else:
        call = lambda: create(data, idempotency_key=idempotency_key or new_idempotency_key())  # noqa: E731
    verb = "Updated" if object_id else "Created"
    response = telnyx_write(
        call, user=user, action="update" if object_id else "create", resource_type=resource_type,
        resource_id=object_id or (lambda r: r.data.get("id", "")), label=label,
        summary=f"{verb} {noun} “{label}”", failure_summary=f"Tried to {verb[:-1].lower()} {noun} “{label}”",
        changes=audit.diff({k: (before.payload or {}).get(k) for k in data} if before else None, data),
        store=lambda r: cache_put(model, r.data, fields),
    )
    return model.objects.get(telnyx_id=response.data["id"])


def template_save(*, user: PortalUser, data: dict, template_id: str = "", idempotency_key: str = "") -> InsightTemplate:
    """Create (no `template_id`) or update an insight template."""
    return _save(user=user, data=data, object_id=template_id, idempotency_key=idempotency_key, model=InsightTemplate,
                 resource_type=TEMPLATE_TYPE, noun="insight template", create=insights_api.template_create,
                 update=insights_api.template_update, fields=template_fields)


def template_fetch(*, template_id: str) -> LiveOrCached:
    """The template live from Telnyx (written to the cache), the cached copy when Telnyx fails;
    `NotFoundError` when Telnyx no longer has it (its cached row is dropped)."""
    return live_or_cached_row(InsightTemplate.objects.filter(telnyx_id=template_id),
                              lambda: insights_api.template_retrieve(template_id),
                              lambda item: cache_put(InsightTemplate, item, template_fields))


def template_delete(*, user: PortalUser, template_id: str) -> None:
    _delete(user, InsightTemplate, template_id, resource_type=TEMPLATE_TYPE, noun="insight template",
            delete=insights_api.template_delete)


def _delete(user: PortalUser, model, object_id: str, *, resource_type: str, noun: str, delete) -> None:
    """Delete a template or a group in Telnyx, then its cached row (audited either way)."""
    require_perm(user, ADMINISTER)
    rows = model.objects.filter(telnyx_id=object_id)
    label = str(rows.first() or object_id)
    telnyx_write(
        lambda: delete(object_id),
        user=user, action="delete", resource_type=resource_type, resource_id=object_id, label=label,
        summary=f"Deleted {noun} “{label}”", failure_summary=f"Tried to delete {noun} “{label}”",
        store=lambda r: cache_delete(rows),
    )


def group_save(*, user: PortalUser, data: dict, group_id: str = "", idempotency_key: str = "") -> InsightGroup:
    """Create (no `group_id`) or update an insight group."""
    return _save(user=user, data=data, object_id=group_id, idempotency_key=idempotency_key, model=InsightGroup,
                 resource_type=GROUP_TYPE, noun="insight group", create=insights_api.group_create,
                 update=insights_api.group_update, fields=group_fields)


def group_fetch(*, group_id: str) -> InsightGroup:
    """The group with its templates, live from Telnyx, written to the cache."""
    return cache_put(InsightGroup, insights_api.group_retrieve(group_id), group_fields)


def group_assign(*, user: PortalUser, group_id: str, template_id: str, assign: bool) -> InsightGroup:
    """Add a template to a group or take it out; returns the group as Telnyx has it after."""
    require_perm(user, ADMINISTER)
    verb = "assign" if assign else "unassign"
    template = InsightTemplate.objects.filter(telnyx_id=template_id).first()
    label = str(template) if template else template_id
    group_name = InsightGroup.objects.filter(telnyx_id=group_id).values_list("name", flat=True).first() or group_id
    telnyx_write(
        lambda: insights_api.assign(group_id, template_id) if assign else insights_api.unassign(group_id, template_id),
        user=user, action=verb, resource_type=GROUP_TYPE, resource_id=group_id, label=group_name,
        summary=f"{'Assigned' if assign else 'Unassigned'} template “{label}”",
        failure_summary=f"Tried to {verb} template “{label}”", changes={"template": template_id},
    )
    # The assign answer is not the group: read it back so the page shows Telnyx's list.
    return group_fetch(group_id=group_id)


def group_delete(*, user: PortalUser, group_id: str) -> None:
    _delete(user, InsightGroup, group_id, resource_type=GROUP_TYPE, noun="insight group", delete=insights_api.group_delete)
