from django.db import models

from core.models import CachedTask, IdNamedCached


class LanguageModel(IdNamedCached):
    """Cached entry of Telnyx's model catalogue (`GET /ai/openai/models`)."""

    # Model ids are names with slashes (`meta-llama/...`): checked as names (core.skips).
    TELNYX_ID_KIND = "path"

    organization = models.CharField(max_length=100, blank=True, db_index=True)
    tier = models.CharField(max_length=20, blank=True, db_index=True)
    context_length = models.PositiveIntegerField(null=True, blank=True)
    recommended_for_assistants = models.BooleanField(default=False, db_index=True)


class FineTuningJob(CachedTask):
    """Cached fine-tuning job (`GET /ai/fine_tuning/jobs`)."""

    RUNNING = (("queued", "Queued"), ("running", "Training"))
    OUTCOMES = {"succeeded": "Succeeded", "failed": "Failed", "cancelled": "Cancelled"}
    FAILED = ("failed", "cancelled")
    FINAL = ("succeeded", "failed", "cancelled")

    model = models.CharField(max_length=200, db_index=True)
    training_file = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, db_index=True)
    trained_tokens = models.BigIntegerField(null=True, blank=True)
