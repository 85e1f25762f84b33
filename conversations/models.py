from django.db import models

from core.models import TelnyxCached


class Conversation(TelnyxCached):
    """Cached conversation (`GET /ai/conversations`), with the metadata the changelist uses.

    `payload` holds the API object; the assistant, version and channel come from its
    metadata, so the changelist can filter a 100,000-row cache on indexed columns.
    """

    name = models.CharField(max_length=300, blank=True)
    assistant_id = models.CharField(max_length=200, blank=True, db_index=True)
    assistant_version_id = models.CharField(max_length=200, blank=True, db_index=True)
    channel = models.CharField(max_length=50, blank=True, db_index=True)
    ai_disabled = models.BooleanField(default=False)
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    synced_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Covers the dashboard's per-day counts by assistant and version (no table reads).
            models.Index(fields=["assistant_id", "assistant_version_id", "created_at"], name="conv_traffic_idx"),
        ]

    def __str__(self) -> str:
        return self.name or self.telnyx_id


class InsightTemplate(TelnyxCached):
    """Cached insight template: instructions run over each finished conversation."""

    name = models.CharField(max_length=300, blank=True, db_index=True)
    insight_type = models.CharField(max_length=20, blank=True, db_index=True)
    instructions = models.TextField(blank=True)
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name or self.telnyx_id


class InsightGroup(TelnyxCached):
    """Cached insight group: the set of templates an assistant's conversations get."""

    name = models.CharField(max_length=300, db_index=True)
    description = models.TextField(blank=True)
    template_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
