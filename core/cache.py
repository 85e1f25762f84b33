"""Writing Telnyx objects into their cache tables, and each table's generation.

Every write to a cache table goes through this module (one object, many objects, an update
or a delete), and each bumps the table's generation (`portal.models.CacheGeneration`) in
the same transaction. Pages key what they keep (rendered fragments, counts, filter choices)
by those numbers, so a write shows at once, on every app server.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable

from django.db import IntegrityError, connection, models, transaction
from django.db.models import QuerySet, signals
from django.utils import timezone

from core import skips
from portal import generations as request_generations
from portal.models import CacheGeneration


def table_of(model: type[models.Model]) -> str:
    return model._meta.label_lower


#: The suffix of each table's second generation, moved by every write but a sync's bulk batches:
#: what a list keys its kept fragments on while its own stepwise sync runs (`core.changelist.kept`).
WRITES = "+writes"


def bump(*tables: type[models.Model], by_sync: bool = False) -> None:
    """A write changed these tables: whatever was kept under their old generation is now unseen.
    `by_sync`: a sync's batch, which leaves the tables' WRITES generation where it was."""
    names = [table_of(model) for model in tables]
    request_generations.bump(*names, *([] if by_sync else [name + WRITES for name in names]))


def deletions(model: type[models.Model]) -> int:
    """A counter bumped by every `cache_delete` of this table only: what keeps running counts
    (the live gate's) can tell that rows went, which no insert-only watermark shows."""
    return CacheGeneration.objects.filter(table=f"{table_of(model)}:deleted").values_list("value", flat=True).first() or 0


def bump_on_save(*tables: type[models.Model]) -> None:
    """For the portal's own records, written one `save()` at a time (audit events, suite runs):
    bump the table on every save and delete. Cache tables are written in bulk, which sends no
    signal, so they go through the functions below instead."""
    for model in tables:
        def changed(sender, **kwargs):
            bump(sender)

        signals.post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"bump:{table_of(model)}")
        signals.post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"bump-delete:{table_of(model)}")


@dataclass(frozen=True)
class Rollup:
    """Counts a domain app keeps beside a cache table (per day and version, say), so pages read
    days × versions rows instead of the table. `tally(rows)` counts row dicts holding `fields` by
    the rollup's key; `apply(delta)` adds a Counter of key → change (negative for rows gone)."""

    fields: tuple[str, ...]
    tally: Callable[[Iterable[dict]], Counter]
    apply: Callable[[Counter], None]


_ROLLUPS: dict[str, list[Rollup]] = {}


def keep_rollup(model: type[models.Model], rollup: Rollup) -> None:
    """Every write below to `model` also moves `rollup`, in the write's transaction (an app's ready()),
    and so does a single row's `save()` anywhere (signals: a row created or changed one at a time
    outside this module, as a test or a data fix does). Bulk writes outside this module and a
    single `delete()` send no usable signal: after one, the app's rebuild recounts."""
    kept = _ROLLUPS.setdefault(table_of(model), [])
    if rollup not in kept:
        kept.append(rollup)
    signals.pre_save.connect(_before_save, sender=model, weak=False, dispatch_uid=f"rollup-before:{table_of(model)}")
    signals.post_save.connect(_after_save, sender=model, weak=False, dispatch_uid=f"rollup-after:{table_of(model)}")


def _before_save(sender, instance, raw=False, **kwargs) -> None:
    rollups, watched = _rollup_fields(sender)
    if rollups and not raw:
        instance._rollup_before = ([] if instance._state.adding or instance.pk is None else
                                   list(sender.objects.filter(pk=instance.pk).values(*watched)))


def _after_save(sender, instance, raw=False, **kwargs) -> None:
    rollups, watched = _rollup_fields(sender)
    if rollups and not raw:
        _move_rollups(rollups, getattr(instance, "_rollup_before", []), [{f: getattr(instance, f) for f in watched}])


def _rollup_fields(model: type[models.Model]) -> tuple[list[Rollup], list[str]]:
    rollups = _ROLLUPS.get(table_of(model), [])
    return rollups, sorted({f for r in rollups for f in r.fields})


def _move_rollups(rollups: list[Rollup], before: Iterable[dict], after: Iterable[dict]) -> None:
    before, after = list(before), list(after)
    for rollup in rollups:
        delta = rollup.tally(after)
        delta.subtract(rollup.tally(before))
        rollup.apply(delta)


def generations(tables: Iterable[type[models.Model]], *, writes_only: bool = False) -> tuple[int, ...]:
    """The current generation of each table, in order (0 before its first write): one query, or
    none when this request read the generations already (`portal.generations`). `writes_only`:
    the generations a sync's batches do not move (see WRITES)."""
    names = [table_of(m) + (WRITES if writes_only else "") for m in tables]
    found = request_generations.current(names)
    return tuple(found.get(name, 0) for name in names)


def text_fields(model: type[models.Model], item: dict, *names: str) -> dict[str, str]:
    """Telnyx's string fields as a cache row stores them: "" when missing, clipped to the column's
    max_length (a TextField is kept whole). The model declares the limits; services name the fields."""
    return {name: str(item.get(name) or "")[:model._meta.get_field(name).max_length] for name in names}


def cache_put(model: type[models.Model], item: dict, to_fields: Callable[[dict], dict], **extra) -> models.Model | None:
    """Upsert `item` (Telnyx's answer) into `model` by telnyx_id; `to_fields` gives its columns.
    A record with an id the portal cannot use is skipped (None), as in `cache_put_many`."""
    fields = to_fields(item)
    problem = skips.unusable_id(fields, model)
    if problem:
        skips.skip(f"{model._meta.verbose_name}: {problem}")
        return None
    telnyx_id = fields.pop("telnyx_id")
    values = {**fields, **extra, "payload": item}
    # A page that reads one object live on every view finds it as cached, mostly: one statement
    # moves the time it was last seen and answers the row, and nothing kept under the table's
    # generation goes out of date. Only a changed or new row takes the write below.
    row = _touched(model, telnyx_id)
    if row is not None and _same(row, values):
        return row
    with transaction.atomic():
        row = model.objects.select_for_update().filter(telnyx_id=telnyx_id).first()
        if row is not None:
            for name, value in {**values, "synced_at": timezone.now()}.items():
                setattr(row, name, value)
            row.save()  # one row saved: the rollups move with it (keep_rollup's signals)
        else:
            try:
                with transaction.atomic():  # not there a moment ago: made now (no second look-up)
                    row = model.objects.create(telnyx_id=telnyx_id, **values, synced_at=timezone.now())
            except IntegrityError:  # another writer made it first
                row, _ = model.objects.update_or_create(telnyx_id=telnyx_id, defaults={**values, "synced_at": timezone.now()})
        bump(model)
    return row


def _touched(model: type[models.Model], telnyx_id: str) -> models.Model | None:
    """The cached row of `telnyx_id` with its synced_at moved to now (None if there is none), in
    one UPDATE … RETURNING (SQLite 3.35+ and PostgreSQL both have it)."""
    meta, quote = model._meta, connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in meta.concrete_fields)
    sql = (f"UPDATE {quote(meta.db_table)} SET {quote(meta.get_field('synced_at').column)} = %s "
           f"WHERE {quote(meta.get_field('telnyx_id').column)} = %s RETURNING {columns}")
    now = meta.get_field("synced_at").get_db_prep_value(timezone.now(), connection)
    return next(iter(model.objects.raw(sql, [now, telnyx_id])), None)


def _same(row: models.Model, values: dict) -> bool:
    return all(getattr(row, name) == value for name, value in values.items())


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
    rollups, watched = _rollup_fields(model)
    with transaction.atomic():
        # What the rows counted as before this write (one indexed read), so the rollups move by the difference.
        before = list(model.objects.filter(telnyx_id__in=list(rows)).values("telnyx_id", *watched)) if rollups else []
        model.objects.bulk_create(list(rows.values()), batch_size=500, update_conflicts=True,
                                  unique_fields=["telnyx_id"], update_fields=update_fields)
        if rollups:
            # A watched column the answer does not set (one the portal keeps itself) keeps its value.
            kept = {row["telnyx_id"]: row for row in before}
            _move_rollups(rollups, before, ({f: getattr(row, f) if f in given or telnyx_id not in kept else kept[telnyx_id][f]
                                             for f in watched} for telnyx_id, row in rows.items()))
        bump(model, by_sync=True)  # a batch: only what sync-time pages ignore (see WRITES)
    return len(rows)


def cache_update(rows: QuerySet, **fields) -> int:
    """`rows.update(**fields)` and bump the table."""
    rollups, watched = _rollup_fields(rows.model)
    moved = set(fields) & set(watched)
    with transaction.atomic():
        before = list(rows.values(*watched)) if moved else []
        count = rows.update(**fields)
        if moved:
            _move_rollups(rollups, before, ({**row, **fields} for row in before))
        bump(rows.model)
    return count


def cache_delete(rows: QuerySet) -> int:
    """Delete cached rows (Telnyx no longer has them) and bump the table."""
    rollups, watched = _rollup_fields(rows.model)
    with transaction.atomic():
        before = list(rows.values(*watched)) if rollups else []
        count, _ = rows.delete()
        _move_rollups(rollups, before, [])
        bump(rows.model)
        if count:  # a sync's clean-up that found nothing stale leaves running counts trusted
            request_generations.bump(f"{table_of(rows.model)}:deleted")
    return count
