"""Scheduled calls and SMS chats. The status is derived from the clock (see behaviour)."""

from django.db import models


class SbScheduledEvent(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    assistant_id = models.CharField(max_length=64, db_index=True)
    channel = models.CharField(max_length=20)
    scheduled_at = models.DateTimeField()
    data = models.JSONField(default=dict)  # every other request field, echoed back
    created_at = models.DateTimeField()
    cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["scheduled_at", "id"]
