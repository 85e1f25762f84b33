"""Inference: fine-tuning jobs (chat completions and transcriptions keep no state)."""

from django.db import models

from sandbox.models.base import SbTask


class SbFineTuningJob(SbTask):
    model = models.CharField(max_length=200)
    training_file = models.CharField(max_length=300)
    n_epochs = models.PositiveIntegerField()
    suffix = models.CharField(max_length=100, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Decided at creation: the job fails when its training bucket holds nothing to train on.
    will_fail = models.BooleanField(default=False)
    trained_tokens = models.PositiveIntegerField(default=0)
