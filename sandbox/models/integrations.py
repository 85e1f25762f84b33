"""Connections to integrations, and MCP servers."""

from django.db import models


class SbConnection(models.Model):
    """A user's connection to an integration of the fixed catalogue (behaviour/integration_catalogue.py)."""

    id = models.CharField(primary_key=True, max_length=64)
    integration_id = models.CharField(max_length=64, db_index=True, default="")
    allowed_tools = models.JSONField(default=list)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]


class SbMcpServer(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=50)
    url = models.CharField(max_length=500)
    allowed_tools = models.JSONField(null=True, blank=True)
    api_key_ref = models.CharField(max_length=200, null=True, blank=True)
    created_at = models.DateTimeField()
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
