"""Project-wide tasks: sync one registered listing, and the beat's sweeps.

They were born in `portal.tasks`: their names stay, so beat schedules stored in the database
and task records keep naming them."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from core.background import SyncFailed, enqueue_listing_sync, families, listing, listings, mark_lost_syncs, mark_lost_tasks
from core.sync import is_abandoned, is_stale, sync_state
from portal.login_throttle import prune_failures
from portal.models import SyncState, TaskRecord
from portal.telnyx import NotFoundError

# A listing with unfinished work upstream is re-read at most this often.
UNFINISHED_EVERY = timedelta(seconds=10)
# Per-object listings re-synced per sweep at most, the stalest first: with many assistants and
# tests, the sweep must not turn into a burst of Telnyx calls.
FAMILY_SWEEP_LIMIT = 50
# Task records older than this are deleted; failures are kept longer, idle periodic runs shorter.
KEEP_RECORDS = timedelta(days=7)
KEEP_FAILED = timedelta(days=30)
KEEP_IDLE = timedelta(hours=1)


@shared_task(name="portal.tasks.sync_listing", label="Sync {0} from Telnyx")
def sync_listing(resource: str):
    """Sync one listing under its lease (a second copy finds the lease taken and does nothing).

    A Telnyx failure keeps the cache and fails the task, so the tasks page shows why.
    """
    found = listing(resource)
    if found is None:
        return None  # a family member of an app no longer installed, or a resource renamed
    outcome = found.sync()
    if isinstance(outcome.error, NotFoundError) and resource not in listings():
        # One object's listing (its versions, its runs) whose object Telnyx no longer has: stop
        # syncing it (the sweep only re-syncs members with a SyncState row) instead of failing
        # on every sweep for ever.
        SyncState.objects.filter(resource=resource).delete()
        return outcome  # the task ends (no retry, no failure row); a page still sees the 404
    if outcome.error is not None:
        raise SyncFailed(outcome.error.user_message, outcome)
    return outcome


def _due(registered) -> bool:
    if registered.ready is not None and not registered.ready():
        return False
    state = sync_state(registered.resource)
    if state.lease_until and state.lease_until > timezone.now():
        return False  # running now
    if is_abandoned(state) or is_stale(state):
        return True
    recently = state.last_attempt_at and timezone.now() - state.last_attempt_at < UNFINISHED_EVERY
    return bool(registered.unfinished and not recently and registered.unfinished())


@shared_task(name="portal.tasks.refresh_listings", recorded=False)
def refresh_listings() -> list[str]:
    """Queue a sync of every listing that is stale, left half done by a dead worker, or still
    has unfinished embedding, clustering or fine-tuning work upstream."""
    due = [resource for resource, registered in listings().items() if _due(registered)] + _due_family_members()
    for resource in due:
        if is_abandoned(sync_state(resource)):
            mark_lost_syncs(resource)
        enqueue_listing_sync(resource)
    return due


def _due_family_members() -> list[str]:
    """Per-object listings (an assistant's versions, a test's runs) that were synced once and
    are stale now, or were left half done; one query for them all, not one per object."""
    prefixes = Q()
    for prefix in families():
        prefixes |= Q(resource__startswith=f"{prefix}:")
    if not prefixes:
        return []
    now = timezone.now()
    stale = Q(synced_at__isnull=True) | Q(synced_at__lt=now - timedelta(seconds=settings.CACHE_TTL))
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    due = SyncState.objects.filter(prefixes).filter(stale, free).order_by(F("synced_at").asc(nulls_first=True))
    return list(due.values_list("resource", flat=True)[:FAMILY_SWEEP_LIMIT])


@shared_task(name="portal.tasks.mark_lost", recorded=False)
def mark_lost() -> int:
    """The beat's sweep: tasks whose worker died mid-run are shown as lost, with Retry."""
    return mark_lost_tasks()


@shared_task(name="portal.tasks.prune_task_records", recorded=False)
def prune_task_records() -> int:
    """Delete task records past their time: idle periodic runs after an hour, the rest after a
    week, failures after a month (long enough to be seen and retried, not forever)."""
    now = timezone.now()
    old = (Q(idle=True, created_at__lt=now - KEEP_IDLE)
           | (Q(created_at__lt=now - KEEP_RECORDS) & ~Q(state=TaskRecord.State.FAILED))
           | Q(state=TaskRecord.State.FAILED, created_at__lt=now - KEEP_FAILED))
    deleted, _ = TaskRecord.objects.filter(old).delete()
    return deleted


@shared_task(name="portal.tasks.prune_login_failures", recorded=False)
def prune_login_failures() -> int:
    """The beat's clean-up of failed logins no throttle counts any more (portal.login_throttle)."""
    return prune_failures()
