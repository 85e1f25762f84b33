"""Responses remembered per Idempotency-Key, so a retried create is not applied twice."""

from django.db import models


class SbIdempotentResponse(models.Model):
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content = models.BinaryField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "method", "path"], name="sb_idempotency_unique")]
