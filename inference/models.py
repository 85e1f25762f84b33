from django.db import models


class LanguageModel(models.Model):
    """Cached entry of Telnyx's model catalogue (`GET /ai/openai/models`)."""

    telnyx_id = models.CharField(max_length=200, unique=True)
    organization = models.CharField(max_length=100, blank=True, db_index=True)
    tier = models.CharField(max_length=20, blank=True, db_index=True)
    context_length = models.PositiveIntegerField(null=True, blank=True)
    recommended_for_assistants = models.BooleanField(default=False, db_index=True)
    payload = models.JSONField(default=dict)
    synced_at = models.DateTimeField()

    class Meta:
        ordering = ["telnyx_id"]

    def __str__(self) -> str:
        return self.telnyx_id
