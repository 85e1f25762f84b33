"""The shared tool library (`/ai/tools`): tools attached to assistants by id (`tool_ids`)."""

from django.db import models


class SbTool(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    type = models.CharField(max_length=50)
    display_name = models.CharField(max_length=200)
    definition = models.JSONField(default=dict)
    timeout_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
