"""What every top-level sandbox object shares: Telnyx's string id, when it was created, and the
demo seed's mark (so the seed stays idempotent and resets only its own rows)."""

from django.db import models


class SbObject(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    created_at = models.DateTimeField(db_index=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]


class SbTask(SbObject):
    """An asynchronous job: it runs `duration_s` seconds of emulated time from `created_at`."""

    duration_s = models.FloatField(default=0)

    class Meta(SbObject.Meta):
        abstract = True
        ordering = ["-created_at", "id"]
