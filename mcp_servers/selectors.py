"""MCP server reads, from the cache only (no HTTP)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import McpServer


def mcp_servers() -> QuerySet[McpServer]:
    """The changelist's rows, without the payload it does not show."""
    return McpServer.objects.defer("payload")


def mcp_server_types() -> list[str]:
    return McpServer.values_in_use("type")


def mcp_server_name(server_id: str) -> str:
    """The cached name, or the id when the server is not cached."""
    return McpServer.cached_label(server_id)
