"""Putting one Telnyx object into its cache table."""

from __future__ import annotations

from typing import Callable

from django.db import models
from django.utils import timezone


def cache_put(model: type[models.Model], item: dict, to_fields: Callable[[dict], dict], **extra) -> models.Model:
    """Upsert `item` (Telnyx's answer) into `model` by telnyx_id; `to_fields` gives its columns."""
    fields = to_fields(item)
    telnyx_id = fields.pop("telnyx_id")
    row, _ = model.objects.update_or_create(
        telnyx_id=telnyx_id, defaults={**fields, **extra, "payload": item, "synced_at": timezone.now()}
    )
    return row
