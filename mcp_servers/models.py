from django.db import models


class McpServer(models.Model):
    """Cached copy of one MCP server (`GET /ai/mcp_servers`), for the changelist."""

    telnyx_id = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=300, db_index=True)
    type = models.CharField(max_length=100, blank=True, db_index=True)
    url = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)
    payload = models.JSONField(default=dict)
    synced_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
