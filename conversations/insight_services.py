"""Insight templates and groups: syncs and writes (Admin), each audited with Telnyx's answer."""

from __future__ import annotations

from django.db import transaction
from django.utils.dateparse import parse_datetime

from core import audit
from core.cache import cache_delete, cache_put
from portal.roles import ADMINISTER, require_perm
from core.sync import SyncOutcome, replace_cache, run_sync
from portal.telnyx import get_client, new_idempotency_key

from .models import InsightGroup, InsightTemplate

TEMPLATES = "insight_templates"
GROUPS = "insight_groups"
TEMPLATES_PATH = "ai/conversations/insights"
GROUPS_PATH = "ai/conversations/insight-groups"


def template_fields(item: dict) -> dict:
    return {
        "telnyx_id": item["id"],
        "name": str(item.get("name") or "")[:300],
        "insight_type": str(item.get("insight_type") or "")[:20],
        "instructions": str(item.get("instructions") or ""),
        "created_at": parse_datetime(str(item["created_at"])) if item.get("created_at") else None,
    }


def group_fields(item: dict) -> dict:
    return {
        "telnyx_id": item["id"],
        "name": str(item.get("name") or "")[:300],
        "description": str(item.get("description") or ""),
        "template_count": len(item.get("insights") or []),
        "created_at": parse_datetime(str(item["created_at"])) if item.get("created_at") else None,
    }


def templates_sync() -> SyncOutcome:
    return run_sync(TEMPLATES, lambda: list(get_client().paginate(TEMPLATES_PATH)),
                    lambda items: replace_cache(InsightTemplate, items, template_fields))


def groups_sync() -> SyncOutcome:
    return run_sync(GROUPS, lambda: list(get_client().paginate(GROUPS_PATH)),
                    lambda items: replace_cache(InsightGroup, items, group_fields))


def _put(model, fields_of, item: dict):
    return cache_put(model, item, lambda i: {"telnyx_id": i["id"], **fields_of(i)})


def _write(*, user, action: str, resource_type: str, resource_id: str, label: str, summary: str, changes: dict, call):
    """An Admin's Telnyx write; a failure is audited and re-raised (see core.audit.audited_call)."""
    require_perm(user, ADMINISTER)
    return audit.audited_call(call, user=user, action=action, resource_type=resource_type, resource_id=resource_id,
                              resource_label=label, summary=summary, changes=changes)


def template_save(*, user, data: dict, template_id: str = "", idempotency_key: str = "") -> InsightTemplate:
    """Create (no `template_id`) or update an insight template."""
    before = InsightTemplate.objects.filter(telnyx_id=template_id).first() if template_id else None
    changes = audit.diff(before.payload if before else None, data)
    if template_id:
        call = lambda: get_client().put(f"{TEMPLATES_PATH}/{template_id}", json=data)  # noqa: E731
    else:
        call = lambda: get_client().post(TEMPLATES_PATH, json=data, idempotency_key=idempotency_key or new_idempotency_key())  # noqa: E731
    action = "update" if template_id else "create"
    response = _write(user=user, action=action, resource_type="insight_template", resource_id=template_id,
                      label=data.get("name", ""), summary=f"{action} insight template “{data.get('name', '')}”",
                      changes=changes, call=call)
    with transaction.atomic():
        row = _put(InsightTemplate, template_fields, (response.data or {}).get("data") or {})
        audit.record(user=user, action=action, resource_type="insight_template", resource_id=row.telnyx_id,
                     resource_label=row.name, summary=f"{'Updated' if template_id else 'Created'} insight template “{row.name}”",
                     changes=changes, response=response)
    return row


def template_delete(*, user, template_id: str) -> None:
    row = InsightTemplate.objects.filter(telnyx_id=template_id).first()
    label = str(row) if row else template_id
    response = _write(user=user, action="delete", resource_type="insight_template", resource_id=template_id,
                      label=label, summary=f"delete insight template “{label}”", changes={},
                      call=lambda: get_client().delete(f"{TEMPLATES_PATH}/{template_id}"))
    with transaction.atomic():
        cache_delete(InsightTemplate.objects.filter(telnyx_id=template_id))
        audit.record(user=user, action="delete", resource_type="insight_template", resource_id=template_id,
                     resource_label=label, summary=f"Deleted insight template “{label}”", response=response)


def group_save(*, user, data: dict, group_id: str = "", idempotency_key: str = "") -> InsightGroup:
    """Create (no `group_id`) or update an insight group."""
    before = InsightGroup.objects.filter(telnyx_id=group_id).first() if group_id else None
    changes = audit.diff({k: (before.payload or {}).get(k) for k in data} if before else None, data)
    if group_id:
        call = lambda: get_client().put(f"{GROUPS_PATH}/{group_id}", json=data)  # noqa: E731
    else:
        call = lambda: get_client().post(GROUPS_PATH, json=data, idempotency_key=idempotency_key or new_idempotency_key())  # noqa: E731
    action = "update" if group_id else "create"
    response = _write(user=user, action=action, resource_type="insight_group", resource_id=group_id,
                      label=data.get("name", ""), summary=f"{action} insight group “{data.get('name', '')}”",
                      changes=changes, call=call)
    with transaction.atomic():
        row = _put(InsightGroup, group_fields, (response.data or {}).get("data") or {})
        audit.record(user=user, action=action, resource_type="insight_group", resource_id=row.telnyx_id,
                     resource_label=row.name, summary=f"{'Updated' if group_id else 'Created'} insight group “{row.name}”",
                     changes=changes, response=response)
    return row


def group_fetch(*, group_id: str) -> InsightGroup:
    """The group with its templates, live from Telnyx, written to the cache."""
    return _put(InsightGroup, group_fields, (get_client().get(f"{GROUPS_PATH}/{group_id}").data or {}).get("data") or {})


def group_assign(*, user, group_id: str, template_id: str, assign: bool) -> InsightGroup:
    """Add a template to a group or take it out; returns the group as Telnyx has it after."""
    verb = "assign" if assign else "unassign"
    path = f"{GROUPS_PATH}/{group_id}/insights/{template_id}/{verb}"
    template = InsightTemplate.objects.filter(telnyx_id=template_id).first()
    label = str(template) if template else template_id
    response = _write(user=user, action=verb, resource_type="insight_group", resource_id=group_id, label=label,
                      summary=f"{verb} template “{label}”", changes={"template": template_id},
                      call=lambda: get_client().post(path) if assign else get_client().delete(path))
    group = group_fetch(group_id=group_id)
    audit.record(user=user, action=verb, resource_type="insight_group", resource_id=group_id, resource_label=group.name,
                 summary=f"{'Assigned' if assign else 'Unassigned'} template “{label}”", changes={"template": template_id},
                 response=response)
    return group


def group_delete(*, user, group_id: str) -> None:
    row = InsightGroup.objects.filter(telnyx_id=group_id).first()
    label = str(row) if row else group_id
    response = _write(user=user, action="delete", resource_type="insight_group", resource_id=group_id, label=label,
                      summary=f"delete insight group “{label}”", changes={},
                      call=lambda: get_client().delete(f"{GROUPS_PATH}/{group_id}"))
    with transaction.atomic():
        cache_delete(InsightGroup.objects.filter(telnyx_id=group_id))
        audit.record(user=user, action="delete", resource_type="insight_group", resource_id=group_id,
                     resource_label=label, summary=f"Deleted insight group “{label}”", response=response)
