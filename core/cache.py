"""Writing Telnyx objects into their cache tables, and each table's generation.

Every write to a cache table goes through this module (one object, many objects, an update
or a delete), and each bumps the table's generation (`portal.models.CacheGeneration`) in
the same transaction. Pages key what they keep (rendered fragments, counts, filter choices)
by those numbers, so a write shows at once, on every app server.
"""

from __future__ import annotations

from typing import Callable, Iterable

from django.db import models, transaction
from django.db.models import signals
from django.db.models import F, QuerySet
from django.utils import timezone

from core import skips
from portal.models import CacheGeneration


def table_of(model: type[models.Model]) -> str:
    return model._meta.label_lower


def bump(*tables: type[models.Model]) -> None:
    """A write changed these tables: whatever was kept under their old generation is now unseen."""
    for model in tables:
        rows = CacheGeneration.objects.filter(table=table_of(model))
        if not rows.update(value=F("value") + 1):
            with transaction.atomic():
                CacheGeneration.objects.get_or_create(table=table_of(model))
            rows.update(value=F("value") + 1)  # also when another writer created the row first


def bump_on_save(*tables: type[models.Model]) -> None:
    """For the portal's own records, written one `save()` at a time (audit events, suite runs):
    bump the table on every save and delete. Cache tables are written in bulk, which sends no
    signal, so they go through the functions below instead."""
    for model in tables:
        def changed(sender, **kwargs):
            bump(sender)

        signals.post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"bump:{table_of(model)}")
        signals.post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"bump-delete:{table_of(model)}")


def generations(tables: Iterable[type[models.Model]]) -> tuple[int, ...]:
    """The current generation of each table, in order (0 before its first write), in one query."""
    tables = list(tables)
    found = dict(CacheGeneration.objects.filter(table__in=[table_of(m) for m in tables]).values_list("table", "value"))
    return tuple(found.get(table_of(m), 0) for m in tables)


def cache_put(model: type[models.Model], item: dict, to_fields: Callable[[dict], dict], **extra) -> models.Model | None:
    """Upsert `item` (Telnyx's answer) into `model` by telnyx_id; `to_fields` gives its columns.
    A record with an id the portal cannot use is skipped (None), as in `cache_put_many`."""
    fields = to_fields(item)
    problem = skips.unusable_id(fields, model)
    if problem:
        skips.skip(f"{model._meta.verbose_name}: {problem}")
        return None
    telnyx_id = fields.pop("telnyx_id")
    with transaction.atomic():
        row, _ = model.objects.update_or_create(
            telnyx_id=telnyx_id, defaults={**fields, **extra, "payload": item, "synced_at": timezone.now()}
        )
        bump(model)
    return row


def cache_put_many(model: type[models.Model], items: Iterable[dict], to_fields: Callable[[dict], dict], *,
                   now=None) -> int:
    """Upsert many API objects by telnyx_id in bulk, all stamped `now`; returns how many.

    An object whose id (or an id it points to) fails the URL check is skipped and counted
    (`core.skips`): stored, it would break every page that links to it."""
    now = now or timezone.now()
    rows, given = {}, {"payload", "synced_at"}
    for item in items:
        fields = to_fields(item)
        problem = skips.unusable_id(fields, model)
        if problem:
            skips.skip(f"{model._meta.verbose_name}: {problem}")
            continue
        given.update(fields)
        rows[fields["telnyx_id"]] = model(**fields, payload=item, synced_at=now)
    # Only what Telnyx's answer sets: columns the portal keeps itself (when a conversation's
    # insights were read) survive a re-sync.
    update_fields = [f.name for f in model._meta.concrete_fields if f.name not in ("id", "telnyx_id") and f.name in given]
    with transaction.atomic():
        model.objects.bulk_create(list(rows.values()), batch_size=500, update_conflicts=True,
                                  unique_fields=["telnyx_id"], update_fields=update_fields)
        bump(model)
    return len(rows)


def cache_update(rows: QuerySet, **fields) -> int:
    """`rows.update(**fields)` and bump the table."""
    with transaction.atomic():
        count = rows.update(**fields)
        bump(rows.model)
    return count


def cache_delete(rows: QuerySet) -> int:
    """Delete cached rows (Telnyx no longer has them) and bump the table."""
    with transaction.atomic():
        count, _ = rows.delete()
        bump(rows.model)
    return count
