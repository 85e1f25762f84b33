"""MCP server reads, from the cache only (no HTTP)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import McpServer


def mcp_servers() -> QuerySet[McpServer]:
    """The changelist's rows, without the payload it does not show."""
    return McpServer.objects.defer("payload")


def mcp_server_types() -> list[str]:
    return list(McpServer.objects.exclude(type="").values_list("type", flat=True).distinct().order_by("type"))


def mcp_server_name(server_id: str) -> str:
    """The cached name, or the id when the server is not cached."""
    return McpServer.objects.filter(telnyx_id=server_id).values_list("name", flat=True).first() or server_id
