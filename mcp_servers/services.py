"""MCP server writes and reads: Telnyx first, then the cache takes Telnyx's answer, then audit."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from portal import audit
from portal.live import LiveOrCached, live_or_cached_row
from portal.roles import ADMINISTER, READ, require_perm
from portal.sync import SyncOutcome, replace_cache, run_sync
from portal.telnyx import NotFoundError, TelnyxError, get_client, new_idempotency_key

from mcp_servers.models import McpServer

RESOURCE = "mcp_servers"
RESOURCE_TYPE = "mcp_server"


def mcp_fields(item: dict) -> dict:
    created = item.get("created_at")
    return {
        "telnyx_id": item["id"],
        "name": str(item.get("name") or "")[:300],
        "type": str(item.get("type") or "")[:100],
        "url": str(item.get("url") or "")[:1000],
        "created_at": parse_datetime(str(created)) if created else None,
    }


def mcp_cache_put(item: dict) -> McpServer:
    row, _ = McpServer.objects.update_or_create(
        telnyx_id=item["id"], defaults={**mcp_fields(item), "payload": item, "synced_at": timezone.now()})
    return row


def mcp_servers_sync() -> SyncOutcome:
    """Replace the cached list with Telnyx's (a bare array, paged until an empty page)."""
    return run_sync(RESOURCE, lambda: list(get_client().paginate("ai/mcp_servers", page_size=100)),
                    lambda items: replace_cache(McpServer, items, mcp_fields))


def mcp_server_fetch(*, user, server_id: str) -> LiveOrCached:
    require_perm(user, READ)

    return live_or_cached_row(
        McpServer.objects.filter(telnyx_id=server_id), lambda: get_client().get(f"ai/mcp_servers/{server_id}").data, mcp_cache_put
    )


def _audit(user, action, server_id, label, summary, *, before=None, after=None, response=None, error=None):
    audit.record(user=user, action=action, resource_type=RESOURCE_TYPE, resource_id=server_id, resource_label=label,
                 summary=summary, changes=audit.diff(before, after), response=response, error=error)


def mcp_server_create(*, user, data: dict, idempotency_key: str = "") -> dict:
    require_perm(user, ADMINISTER)
    body = {k: v for k, v in data.items() if v not in (None, "", [])}
    label = body.get("name", "")
    try:
        response = get_client().post("ai/mcp_servers", json=body, idempotency_key=idempotency_key or new_idempotency_key())
    except TelnyxError as exc:
        _audit(user, "create", "", label, f"Tried to create MCP server “{label}”", after=body, error=exc)
        raise
    created = response.data
    with transaction.atomic():
        mcp_cache_put(created)
        _audit(user, "create", created["id"], label, f"Created MCP server “{label}”", after=body, response=response)
    return created


def mcp_server_update(*, user, server_id: str, data: dict) -> dict:
    """Replace the server's fields (PUT); the audit keeps what changed."""
    require_perm(user, ADMINISTER)
    row = McpServer.objects.filter(telnyx_id=server_id).first()
    before = {k: (row.payload or {}).get(k) for k in data} if row else None
    label = data.get("name") or (row.name if row else server_id)
    try:
        response = get_client().put(f"ai/mcp_servers/{server_id}", json=data)
    except TelnyxError as exc:
        _audit(user, "update", server_id, label, f"Tried to update MCP server “{label}”", before=before, after=data, error=exc)
        raise
    updated = response.data
    with transaction.atomic():
        mcp_cache_put(updated)
        _audit(user, "update", server_id, label, f"Updated MCP server “{label}”", before=before,
               after={k: updated.get(k) for k in data}, response=response)
    return updated


def mcp_server_delete(*, user, server_id: str) -> bool:
    require_perm(user, ADMINISTER)
    row = McpServer.objects.filter(telnyx_id=server_id).first()
    label = row.name if row else server_id
    try:
        response = get_client().delete(f"ai/mcp_servers/{server_id}")
    except NotFoundError as exc:
        McpServer.objects.filter(telnyx_id=server_id).delete()
        _audit(user, "delete", server_id, label, f"MCP server “{label}” was already gone in Telnyx", error=exc)
        return False
    except TelnyxError as exc:
        _audit(user, "delete", server_id, label, f"Tried to delete MCP server “{label}”", error=exc)
        raise
    with transaction.atomic():
        McpServer.objects.filter(telnyx_id=server_id).delete()
        _audit(user, "delete", server_id, label, f"Deleted MCP server “{label}”", response=response)
    return True
