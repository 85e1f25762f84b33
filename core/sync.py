"""Syncing a cached listing from Telnyx: one at a time per resource, all or nothing.

A sync first fetches every page (no transaction held across HTTP), then replaces the cache
inside one transaction. If fetching or writing fails, the old cache stays as it was.
"""

from __future__ import annotations

import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core import skips
from core.cache import cache_delete, cache_put_many
from portal.models import SyncState
from portal.telnyx import TelnyxError

logger = logging.getLogger(__name__)



def lease_seconds() -> int:
    """How long a lease lasts unrenewed (settings.SYNC_LEASE_SECONDS): after that a sync whose
    process died is free to be taken over."""
    return int(getattr(settings, "SYNC_LEASE_SECONDS", 120))


@dataclass
class SyncOutcome:
    ran: bool
    count: int = 0
    error: TelnyxError | None = None
    queued: bool = False  # handed to a worker; the page shows progress from SyncState
    already_queued: bool = False  # queued by someone else before this click: nothing new was sent

    @property
    def ok(self) -> bool:
        return self.ran and self.error is None


def acquire_lease(resource: str) -> bool:
    """Take the resource's sync lease with one conditional UPDATE; False if someone holds it."""
    SyncState.objects.get_or_create(resource=resource)
    now = timezone.now()
    taken = SyncState.objects.filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now), resource=resource).update(
        lease_until=now + timedelta(seconds=lease_seconds()), last_attempt_at=now
    )
    return taken == 1


def release_lease(resource: str, **fields: Any) -> None:
    SyncState.objects.filter(resource=resource).update(lease_until=None, **fields)


def run_sync(resource: str, fetch: Callable[[], Iterable[dict]], store: Callable[[list[dict]], int]) -> SyncOutcome:
    """Fetch every item with `fetch`, then `store` them in one transaction, under the lease."""
    if not acquire_lease(resource):
        return SyncOutcome(ran=False)
    try:
        items = list(fetch())
        with skips.collecting() as skipped, transaction.atomic():
            count = store(items)
    except TelnyxError as exc:
        logger.warning("sync of %s failed: %s", resource, exc)
        release_lease(resource, last_error=exc.user_message)
        return SyncOutcome(ran=True, error=exc)
    except BaseException:
        release_lease(resource, last_error="The sync failed unexpectedly; see the server log.")
        raise
    release_lease(resource, synced_at=timezone.now(), last_error="", item_count=count,
                  skipped_count=len(skipped), skipped_note=skips.summary(skipped))
    return SyncOutcome(ran=True, count=count)


def vacuum_analyze(model) -> None:
    """On PostgreSQL, VACUUM (ANALYZE) `model`'s table once a sync has rewritten its rows: every
    row upserted clears the visibility map, and until autovacuum comes round an index-only scan
    reads the heap for every entry (the tool search's walk of 66,666 names: 52 ms, 9 ms after;
    autovacuum may be off). Elsewhere, and inside a transaction (VACUUM cannot run in one), nothing."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")


def sync_state(resource: str) -> SyncState:
    """The resource's state row (unsaved and empty if it never synced)."""
    return SyncState.objects.filter(resource=resource).first() or SyncState(resource=resource)


def is_stale(state: SyncState) -> bool:
    if state.synced_at is None:
        return True
    return timezone.now() - state.synced_at > timedelta(seconds=settings.CACHE_TTL)


def replace_cache(model, items: list[dict], to_fields: Callable[[dict], dict], *, scope: Q | None = None) -> int:
    """Upsert `items` into `model` by telnyx_id and delete cached rows Telnyx no longer has.

    `to_fields` turns one API object into the model's column values. `scope` limits the
    deletion to a subset (e.g. one assistant's versions).
    """
    now = timezone.now()
    count = cache_put_many(model, items, to_fields, now=now)
    # Every row Telnyx still has was just stamped `now`; whatever is older is gone upstream.
    stale = model.objects.filter(synced_at__lt=now)
    if scope is not None:
        stale = stale.filter(scope)
    cache_delete(stale)
    return count


# --- Syncs that run in steps ---------------------------------------------------------------
@dataclass
class StepOutcome:
    """Where a stepwise sync stands after one step."""

    run_id: str = ""
    done: bool = False
    progress: int = 0
    busy: bool = False
    error: TelnyxError | None = None


def sync_step(
    resource: str,
    *,
    run_id: str,
    fetch_batch: Callable[[str], tuple[list[dict], str | None]],
    store_batch: Callable[[list[dict]], int],
    finish: Callable[[Any], int],
) -> StepOutcome:
    """Run one step of a large sync, so no request waits for the whole listing.

    With no `run_id` a new run starts (taking the lease; `busy` if another run holds it).
    `fetch_batch(cursor)` returns one batch and the next cursor (None when it was the last);
    `store_batch(items)` upserts it; `finish(run_started_at)` deletes what the run did not
    see and returns the final count. A failed step ends the run and keeps the cache: rows
    are only removed once a run has seen everything.
    """
    if not run_id:
        if not acquire_lease(resource):
            return StepOutcome(busy=True)
        run_id = uuid.uuid4().hex
        SyncState.objects.filter(resource=resource).update(
            run_id=run_id, run_started_at=timezone.now(), run_cursor="", run_progress=0, run_skipped=0, run_skipped_note=""
        )
    state = SyncState.objects.get(resource=resource)
    if state.run_id != run_id or state.lease_until is None or state.lease_until < timezone.now():
        return StepOutcome(busy=True)  # this run was taken over or abandoned
    try:
        items, next_cursor = fetch_batch(state.run_cursor)
        with skips.collecting() as skipped, transaction.atomic():
            stored = store_batch(items)
            progress = state.run_progress + stored
            # Skips add up over the run's steps; the run's total replaces the last run's at the end.
            run_skipped = state.run_skipped + len(skipped)
            note = state.run_skipped_note or skips.summary(skipped)
            SyncState.objects.filter(resource=resource, run_id=run_id).update(
                run_cursor=next_cursor or "",
                run_progress=progress,
                run_skipped=run_skipped,
                run_skipped_note=note,
                lease_until=timezone.now() + timedelta(seconds=lease_seconds()),
            )
            if next_cursor is None:
                total = finish(state.run_started_at)
                SyncState.objects.filter(resource=resource).update(
                    synced_at=timezone.now(), last_error="", item_count=total, lease_until=None, run_id="",
                    skipped_count=run_skipped, skipped_note=note,
                )
                return StepOutcome(run_id=run_id, done=True, progress=total)
    except TelnyxError as exc:
        logger.warning("sync step of %s failed: %s", resource, exc)
        SyncState.objects.filter(resource=resource).update(lease_until=None, run_id="", last_error=exc.user_message)
        return StepOutcome(run_id=run_id, error=exc, progress=state.run_progress)
    return StepOutcome(run_id=run_id, progress=progress)


def resume_abandoned_run(resource: str) -> str:
    """Take over a stepwise run whose process died (its lease expired with `run_id` set),
    keeping its cursor and progress; returns its run id, or "" if there is none to take."""
    now = timezone.now()
    state = SyncState.objects.filter(resource=resource).exclude(run_id="").filter(lease_until__lt=now).first()
    if state is None:
        return ""
    taken = SyncState.objects.filter(pk=state.pk, run_id=state.run_id, lease_until=state.lease_until).update(
        lease_until=now + timedelta(seconds=lease_seconds()), last_attempt_at=now
    )
    if taken:
        logger.info("resuming the sync of %s at %s rows", resource, state.run_progress)
    return state.run_id if taken else ""


class Prefetching:
    """A stepwise sync's `fetch_batch` that reads the next batch on a thread while the step
    stores the one it has: Telnyx (or the sandbox) answers while this process writes, so on
    two cores the two halves overlap instead of taking turns.

    Nothing is stored from the thread: a prefetched batch is used only by the step whose
    committed cursor it was fetched for (so a takeover, a resume or a failure just fetches
    again), and a process killed with one in flight loses only that read.
    """

    def __init__(self, fetch_batch: Callable[[str], tuple[list[dict], str | None]]):
        self.fetch_batch = fetch_batch
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-prefetch")
        self.ahead: tuple[str, Any] | None = None  # (cursor, Future of fetch_batch(cursor))

    def __call__(self, cursor: str) -> tuple[list[dict], str | None]:
        ahead, self.ahead = self.ahead, None
        if ahead is not None and ahead[0] == cursor:
            items, next_cursor = ahead[1].result()  # re-raises the thread's TelnyxError here
        else:
            if ahead is not None:
                ahead[1].cancel()
            items, next_cursor = self.fetch_batch(cursor)
        if next_cursor is not None:
            self.ahead = (next_cursor, self.pool.submit(self.fetch_batch, next_cursor))
        return items, next_cursor

    def close(self) -> None:
        if self.ahead is not None:
            self.ahead[1].cancel()
        self.pool.shutdown(wait=True, cancel_futures=True)


def prefetching(fetch_batch: Callable[[str], tuple[list[dict], str | None]]):
    """`fetch_batch` with the next batch read ahead (settings.SYNC_PREFETCH), else as it is."""
    return Prefetching(fetch_batch) if getattr(settings, "SYNC_PREFETCH", True) else fetch_batch


def run_stepwise(resource: str, step: Callable[[str], StepOutcome]) -> SyncOutcome:
    """Run a stepwise sync to the end in this process (a worker), resuming an abandoned run.

    Every step commits its batch with the cursor, so a process killed at any point loses at
    most the batch in flight; the next call resumes from the last committed cursor.
    """
    run_id = resume_abandoned_run(resource)
    while True:
        outcome = step(run_id)
        if outcome.busy:
            return SyncOutcome(ran=False)
        if outcome.error is not None:
            return SyncOutcome(ran=True, count=outcome.progress, error=outcome.error)
        if outcome.done:
            return SyncOutcome(ran=True, count=outcome.progress)
        run_id = outcome.run_id


def is_abandoned(state: SyncState) -> bool:
    """A stepwise run was left half done by a process that died."""
    return bool(state.run_id) and state.lease_until is not None and state.lease_until < timezone.now()


def wait_for_running_sync(resource: str, *, timeout: float = 5.0, interval: float = 0.1) -> bool:
    """Wait (bounded) for another server's sync of `resource` to release its lease.

    For a page that cannot show anything useful without the listing (a form's choices) and
    found the sync busy. True if the lease is free now.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = SyncState.objects.filter(resource=resource).values("lease_until").first()
        if not state or state["lease_until"] is None or state["lease_until"] < timezone.now():
            return True
        time.sleep(interval)
    return False
