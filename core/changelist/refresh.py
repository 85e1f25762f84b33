"""A changelist's Refresh: queue its listing's sync on a worker, or run it here."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from core.background import enqueue_listing_sync, is_registered, listing_sync_active
from core.sync import SyncOutcome, is_stale, sync_state


def refresh_from_request(request, resource: str, sync):
    """Refresh a listing for a Refresh click: queue its sync on a worker (a registered
    listing) or run `sync` here. An automatic refresh (POST `if_stale=1`) does nothing if the
    cache is fresh again, or if the last attempt just failed (the page shows that error)."""
    if request.POST.get("waiting") and is_registered(resource) and listing_sync_active(resource):
        return SyncOutcome(ran=False, queued=True)  # the queued sync has not finished: keep waiting
    if request.POST.get("if_stale"):
        state = sync_state(resource)
        if not is_stale(state):
            return None
        if _just_failed(state) and not _queued_since(state):
            return None
    if is_registered(resource):
        return enqueue_listing_sync(resource)
    return sync()


# An automatic refresh right after a failed one would only fail again, every poll.
RETRY_FAILED_AFTER = timedelta(seconds=60)


def _just_failed(state) -> bool:
    return bool(state.last_error and state.last_attempt_at and state.lease_until is None
                and timezone.now() - state.last_attempt_at < RETRY_FAILED_AFTER)


def _queued_since(state) -> bool:
    """True when a sync of `state`'s listing was queued after its last (failed) attempt."""
    return listing_sync_active(state.resource, since=state.last_attempt_at)
