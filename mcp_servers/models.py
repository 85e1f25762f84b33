from django.db import models

from core.models import TelnyxCached


class McpServer(TelnyxCached):
    """Cached copy of one MCP server (`GET /ai/mcp_servers`), for the changelist."""

    name = models.CharField(max_length=300, db_index=True)
    type = models.CharField(max_length=100, blank=True, db_index=True)
    url = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
