from django.db import models


class SbIdempotentResponse(models.Model):
    """A successful answer to a request that carried an Idempotency-Key, kept for replay."""

    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "method", "path"], name="sb_idempotency_unique")]
