"""MCP server writes and syncs: through the resource layer and the one write path."""

from __future__ import annotations

from core.cache import cache_put, text_fields
from core.crud import CachedResource
from core.live import LiveOrCached
from core.sync import SyncOutcome
from mcp_servers.models import McpServer
from portal.telnyx.dates import parse_date
from portal.telnyx.resources import mcp_servers as mcp_api

RESOURCE = "mcp_servers"
RESOURCE_TYPE = "mcp_server"


def mcp_fields(item: dict) -> dict:
    return {
        "telnyx_id": item["id"], **text_fields(McpServer, item, "name", "type", "url"),
        "created_at": parse_date(item.get("created_at")),
    }


def mcp_cache_put(item: dict) -> McpServer:
    return cache_put(McpServer, item, mcp_fields)


MCP_SERVERS = CachedResource(model=McpServer, api=mcp_api, resource_type=RESOURCE_TYPE, noun="MCP server",
                             label_field="name", cache_put=mcp_cache_put, listing=RESOURCE, fields=mcp_fields)


def mcp_servers_sync() -> SyncOutcome:
    """Replace the cached list with Telnyx's."""
    return MCP_SERVERS.sync()


def mcp_server_fetch(*, user, server_id: str) -> LiveOrCached:
    return MCP_SERVERS.fetch(user=user, telnyx_id=server_id)


def mcp_server_create(*, user, data: dict, idempotency_key: str = "") -> dict:
    body = {k: v for k, v in data.items() if v not in (None, "", [])}
    return MCP_SERVERS.create(user=user, data=body, idempotency_key=idempotency_key)


def mcp_server_update(*, user, server_id: str, data: dict, idempotency_key: str | None = None) -> dict:
    """Replace the server's fields (PUT); the audit keeps what changed."""
    return MCP_SERVERS.update(user=user, telnyx_id=server_id, data=data, idempotency_key=idempotency_key)


def mcp_server_delete(*, user, server_id: str) -> bool:
    """Delete in Telnyx and drop the cached row; False if Telnyx no longer had it."""
    return MCP_SERVERS.delete(user=user, telnyx_id=server_id)
