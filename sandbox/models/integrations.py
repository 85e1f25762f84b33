"""Integrations catalogue, the user's connections to them, and MCP servers."""

from django.db import models


class SbIntegration(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    name = models.CharField(max_length=100, unique=True)
    data = models.JSONField(default=dict)  # display_name, description, logo_url, available_tools

    class Meta:
        ordering = ["name"]


class SbConnection(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    integration = models.ForeignKey(SbIntegration, on_delete=models.CASCADE, related_name="connections")
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
