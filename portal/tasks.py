"""Project-wide tasks: sync one registered listing, and the beat's sweeps."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from core.background import SyncFailed, enqueue_listing_sync, listings, mark_lost_syncs, mark_lost_tasks
from core.sync import is_abandoned, is_stale, sync_state
from portal.models import TaskRecord

# A listing with unfinished work upstream is re-read at most this often.
UNFINISHED_EVERY = timedelta(seconds=10)
# Task records older than this are deleted, except failures nobody retried yet.
KEEP_RECORDS = timedelta(days=7)


@shared_task(label="Sync {0} from Telnyx")
def sync_listing(resource: str):
    """Sync one listing under its lease (a second copy finds the lease taken and does nothing).

    A Telnyx failure keeps the cache and fails the task, so the tasks page shows why.
    """
    outcome = listings()[resource].sync()
    if outcome.error is not None:
        raise SyncFailed(outcome.error.user_message, outcome)
    return outcome


def _due(listing) -> bool:
    if listing.ready is not None and not listing.ready():
        return False
    state = sync_state(listing.resource)
    if state.lease_until and state.lease_until > timezone.now():
        return False  # running now
    if is_abandoned(state) or is_stale(state):
        return True
    recently = state.last_attempt_at and timezone.now() - state.last_attempt_at < UNFINISHED_EVERY
    return bool(listing.unfinished and not recently and listing.unfinished())


@shared_task(recorded=False)
def refresh_listings() -> list[str]:
    """Queue a sync of every listing that is stale, left half done by a dead worker, or still
    has unfinished embedding, clustering or fine-tuning work upstream."""
    due = [resource for resource, listing in listings().items() if _due(listing)]
    for resource in due:
        if is_abandoned(sync_state(resource)):
            mark_lost_syncs(resource)
        enqueue_listing_sync(resource)
    return due


@shared_task(recorded=False)
def mark_lost() -> int:
    """The beat's sweep: tasks whose worker died mid-run are shown as lost, with Retry."""
    return mark_lost_tasks()


@shared_task(recorded=False)
def prune_task_records() -> int:
    cutoff = timezone.now() - KEEP_RECORDS
    deleted, _ = TaskRecord.objects.filter(created_at__lt=cutoff).exclude(state=TaskRecord.State.FAILED).delete()
    return deleted
