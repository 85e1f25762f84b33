from django.db import models

from core.models import CachedTask, TelnyxCached
from core.progress import JobProgress, job_progress


class LanguageModel(TelnyxCached):
    """Cached entry of Telnyx's model catalogue (`GET /ai/openai/models`)."""

    # Model ids are names with slashes (`meta-llama/...`): checked as names (core.skips).
    TELNYX_ID_KIND = "path"

    organization = models.CharField(max_length=100, blank=True, db_index=True)
    tier = models.CharField(max_length=20, blank=True, db_index=True)
    context_length = models.PositiveIntegerField(null=True, blank=True)
    recommended_for_assistants = models.BooleanField(default=False, db_index=True)

    class Meta:
        ordering = ["telnyx_id"]

    def __str__(self) -> str:
        return self.telnyx_id


class FineTuningJob(CachedTask):
    """Cached fine-tuning job (`GET /ai/fine_tuning/jobs`)."""

    FINAL = ("succeeded", "failed", "cancelled")

    model = models.CharField(max_length=200, db_index=True)
    training_file = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, db_index=True)
    trained_tokens = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def progress(self) -> JobProgress:
        return job_progress(self.status, running=[("queued", "Queued"), ("running", "Training")],
                            outcomes={"succeeded": "Succeeded", "failed": "Failed", "cancelled": "Cancelled"},
                            failed=("failed", "cancelled"), started=self.created_at, finished=self.finished_at)
