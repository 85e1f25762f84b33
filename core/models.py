"""The fields every cached copy of a Telnyx object has (abstract: no table of its own)."""

from django.db import models


class TelnyxCached(models.Model):
    """A row holding Telnyx's object: its id, the whole object as Telnyx answered, and when."""

    telnyx_id = models.CharField(max_length=200, unique=True)
    payload = models.JSONField(default=dict)
    synced_at = models.DateTimeField()

    class Meta:
        abstract = True
