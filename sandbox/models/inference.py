"""Inference: fine-tuning jobs (chat completions and transcriptions keep no state)."""

from django.db import models


class SbFineTuningJob(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    model = models.CharField(max_length=200)
    training_file = models.CharField(max_length=300)
    n_epochs = models.PositiveIntegerField()
    suffix = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(db_index=True)
    duration_s = models.FloatField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Decided at creation: the job fails when its training bucket holds nothing to train on.
    will_fail = models.BooleanField(default=False)
    trained_tokens = models.PositiveIntegerField(default=0)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "id"]
