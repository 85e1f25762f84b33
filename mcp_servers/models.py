from django.db import models

from core.models import NamedCached


class McpServer(NamedCached):
    """Cached copy of one MCP server (`GET /ai/mcp_servers`), for the changelist."""

    type = models.CharField(max_length=100, blank=True, db_index=True)
    url = models.CharField(max_length=1000, blank=True)
