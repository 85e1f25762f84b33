"""MCP server reads, from the cache only (no HTTP)."""

from __future__ import annotations

from django.db.models import QuerySet

from assistants.hooks import Offer
from portal.converters import is_telnyx_id

from .models import McpServer


def mcp_servers() -> QuerySet[McpServer]:
    """The changelist's rows, without the payload it does not show."""
    return McpServer.objects.defer("payload")


def mcp_server_types() -> list[str]:
    return list(McpServer.objects.exclude(type="").values_list("type", flat=True).distinct().order_by("type"))


def mcp_server_name(server_id: str) -> str:
    """The cached name, or the id when the server is not cached."""
    return McpServer.objects.filter(telnyx_id=server_id).values_list("name", flat=True).first() or server_id


def mcp_server_offers() -> list[Offer]:
    """The cached MCP servers as the assistant change form offers them: id, name, and the tools
    each server allows (its `allowed_tools`). A server whose id the portal cannot use is left out."""
    offers = []
    for server_id, name, kind, payload in McpServer.objects.values_list("telnyx_id", "name", "type", "payload"):
        if not is_telnyx_id(server_id):
            continue
        tools = (payload or {}).get("allowed_tools") or []
        label = f"{name or server_id} ({kind})" if kind else (name or server_id)
        offers.append(Offer(server_id, label, tuple(t for t in tools if isinstance(t, str) and t)))
    return sorted(offers, key=lambda o: o.label.lower())
