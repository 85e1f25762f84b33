"""MCP server writes and syncs: through the resource layer and the one write path."""

from __future__ import annotations

from core import audit
from core.cache import cache_delete, cache_put
from core.live import LiveOrCached, live_or_cached_row
from core.sync import SyncOutcome, replace_cache, run_sync
from core.writes import telnyx_write
from mcp_servers.models import McpServer
from portal.roles import ADMINISTER, READ, require_perm
from portal.telnyx import NotFoundError, new_idempotency_key
from portal.telnyx.resources import mcp_servers as mcp_api
from portal.telnyx.resources._base import parse_date

RESOURCE = "mcp_servers"
RESOURCE_TYPE = "mcp_server"


def mcp_fields(item: dict) -> dict:
    return {
        "telnyx_id": item["id"],
        "name": str(item.get("name") or "")[:300],
        "type": str(item.get("type") or "")[:100],
        "url": str(item.get("url") or "")[:1000],
        "created_at": parse_date(item.get("created_at")),
    }


def mcp_cache_put(item: dict) -> McpServer:
    return cache_put(McpServer, item, mcp_fields)


def mcp_servers_sync() -> SyncOutcome:
    """Replace the cached list with Telnyx's."""
    return run_sync(RESOURCE, lambda: list(mcp_api.list_all()), lambda items: replace_cache(McpServer, items, mcp_fields))


def mcp_server_fetch(*, user, server_id: str) -> LiveOrCached:
    require_perm(user, READ)
    return live_or_cached_row(McpServer.objects.filter(telnyx_id=server_id), lambda: mcp_api.retrieve(server_id), mcp_cache_put)


def mcp_server_create(*, user, data: dict, idempotency_key: str = "") -> dict:
    require_perm(user, ADMINISTER)
    body = {k: v for k, v in data.items() if v not in (None, "", [])}
    label = body.get("name", "")
    response = telnyx_write(
        lambda: mcp_api.create(body, idempotency_key=idempotency_key or new_idempotency_key()),
        user=user, action="create", resource_type=RESOURCE_TYPE, resource_id=lambda r: r.data.get("id", ""),
        label=label, summary=f"Created MCP server “{label}”", failure_summary=f"Tried to create MCP server “{label}”",
        changes=audit.diff(None, body), store=lambda r: mcp_cache_put(r.data),
    )
    return response.data


def mcp_server_update(*, user, server_id: str, data: dict, idempotency_key: str | None = None) -> dict:
    """Replace the server's fields (PUT); the audit keeps what changed."""
    require_perm(user, ADMINISTER)
    row = McpServer.objects.filter(telnyx_id=server_id).first()
    before = {k: (row.payload or {}).get(k) for k in data} if row else None
    label = data.get("name") or (row.name if row else server_id)
    response = telnyx_write(
        lambda: mcp_api.update(server_id, data, idempotency_key=idempotency_key),
        user=user, action="update", resource_type=RESOURCE_TYPE, resource_id=server_id, label=label,
        summary=f"Updated MCP server “{label}”", failure_summary=f"Tried to update MCP server “{label}”",
        changes=audit.diff(before, data), store=lambda r: mcp_cache_put(r.data),
    )
    return response.data


def mcp_server_delete(*, user, server_id: str) -> bool:
    """Delete in Telnyx and drop the cached row; False if Telnyx no longer had it."""
    require_perm(user, ADMINISTER)
    rows = McpServer.objects.filter(telnyx_id=server_id)
    label = rows.values_list("name", flat=True).first() or server_id
    try:
        telnyx_write(
            lambda: mcp_api.delete(server_id),
            user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=server_id, label=label,
            summary=f"Deleted MCP server “{label}”", failure_summary=f"Tried to delete MCP server “{label}”",
            store=lambda r: cache_delete(rows),
        )
    except NotFoundError:
        cache_delete(rows)
        return False
    return True
