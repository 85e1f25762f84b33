"""Scheduled events of an assistant (phone calls and SMS chats): sync, read one, create, cancel.

The list is served from the cache (`ScheduledEvent`), synced per assistant on the worker
in steps of one Telnyx page (the "scheduled_events" listing family, see assistants/tasks.py):
each step commits its page with the next page number, so a worker that dies mid-sync is
taken over from there. Writes go through `core.writes.telnyx_write` and store Telnyx's
answer, so a new or cancelled event shows on the list at once.
"""

from __future__ import annotations

from assistants.models import ScheduledEvent
from core import audit
from core.cache import cache_delete, cache_put, cache_put_many
from core.live import LiveOrCached, live_or_cached_row
from core.sync import StepOutcome, SyncOutcome, run_stepwise, sync_step
from core.types import PortalUser
from core.writes import telnyx_write
from portal.models import AuditEvent, SyncState
from portal.roles import ADMINISTER, READ, require_perm
from portal.telnyx import NotFoundError, TelnyxError, new_idempotency_key
from portal.telnyx.dates import parse_date
from portal.telnyx.resources import scheduled_events as events_api

RESOURCE_TYPE = "scheduled_event"
SCHEDULED_FAMILY = "scheduled_events"
PAGE_SIZE = 100
#: A sync reads at most this many pages (50,000 events): an answer that ignored page[number]
#: and had no `meta` would otherwise look endless.
MAX_PAGES = 500


def scheduled_resource(assistant_id: str) -> str:
    """The SyncState name of one assistant's scheduled events (max 100 chars)."""
    return f"{SCHEDULED_FAMILY}:{assistant_id}"[:100]


def event_key(assistant_id: str, event_id: str) -> str:
    return f"{assistant_id}:{event_id}"


#: Telnyx's event statuses (`EventStatus`), and the one this portal adds for an event that was
#: cancelled: Telnyx reports it as "failed" (its call, if any, "canceled").
STATUSES = ("pending", "in_progress", "completed", "failed")
CANCELLED = "cancelled"


def event_status(item: dict, *, cancelled_here: bool = False) -> str:
    """The status to show: Telnyx's, except that a failed event Telnyx marks as a canceled call,
    or that this portal cancelled, is "cancelled" (it did not fail: someone called it off)."""
    status = str(item.get("status") or "")
    call_cancelled = str(item.get("call_status") or "").lower() in ("canceled", "cancelled")
    return CANCELLED if status == "failed" and (call_cancelled or cancelled_here) else status


def cancelled_here(event_ids) -> set[str]:
    """Which of `event_ids` this portal cancelled (a successful audited cancel)."""
    return set(AuditEvent.objects.filter(resource_type=RESOURCE_TYPE, action="cancel", outcome=AuditEvent.Outcome.SUCCESS,
                                         resource_id__in=list(event_ids)).values_list("resource_id", flat=True))


def shown_status(item: dict) -> str:
    """`event_status` of one event read live."""
    event_id = str(item.get("scheduled_event_id") or "")
    return event_status(item, cancelled_here=item.get("status") == "failed" and bool(cancelled_here([event_id])))


def event_fields(item: dict, *, assistant_id: str, cancelled: frozenset | set = frozenset()) -> dict:
    """The cache columns of one API scheduled event (phone call or SMS chat); `cancelled` holds
    the ids of events this portal cancelled."""
    event_id = str(item.get("scheduled_event_id") or "")
    return {
        "telnyx_id": event_key(assistant_id, event_id),
        "assistant_id": assistant_id,
        "event_id": event_id,
        "channel": str(item.get("telnyx_conversation_channel") or "")[:20],
        "status": event_status(item, cancelled_here=event_id in cancelled)[:20],
        "scheduled_at": parse_date(item.get("scheduled_at_fixed_datetime")),
        "agent_target": str(item.get("telnyx_agent_target") or "")[:200],
        "end_user_target": str(item.get("telnyx_end_user_target") or "")[:200],
        "created_at": parse_date(item.get("created_at")),
    }


def _to_fields(assistant_id: str, items: list[dict] = ()):
    cancelled = cancelled_here(i.get("scheduled_event_id") for i in items if i.get("status") == "failed")
    return lambda item: event_fields(item, assistant_id=assistant_id, cancelled=cancelled)


def scheduled_sync_step(*, assistant_id: str, run_id: str = "") -> StepOutcome:
    """One step of the assistant's sync: one Telnyx page (the cursor is its number), upserted.
    The last step removes the events the run did not see (Telnyx no longer has them). Pages are
    by number, so an event that moves to an earlier page mid-run is missed until the next sync."""

    def fetch_batch(cursor: str) -> tuple[list[dict], str | None]:
        number = int(cursor) if cursor.isdigit() else 1
        items, more = events_api.list_page(assistant_id, page_number=number, page_size=PAGE_SIZE)
        more = more and number < MAX_PAGES
        return [i for i in items if i.get("scheduled_event_id")], (str(number + 1) if more else None)

    def store_batch(items: list[dict]) -> int:
        return cache_put_many(ScheduledEvent, items, _to_fields(assistant_id, items)) if items else 0

    def finish(run_started_at) -> int:
        rows = ScheduledEvent.objects.filter(assistant_id=assistant_id)
        cache_delete(rows.filter(synced_at__lt=run_started_at))
        return rows.count()

    return sync_step(scheduled_resource(assistant_id), run_id=run_id, fetch_batch=fetch_batch,
                     store_batch=store_batch, finish=finish)


def scheduled_sync(*, assistant_id: str) -> SyncOutcome:
    """Replace the assistant's cached events with Telnyx's list, page by page (resuming a run
    a dead worker left half done); a failure keeps the cache. Runs on the worker."""
    return run_stepwise(scheduled_resource(assistant_id),
                        lambda run_id: scheduled_sync_step(assistant_id=assistant_id, run_id=run_id))


def _rows(assistant_id: str, event_id: str):
    return ScheduledEvent.objects.filter(telnyx_id=event_key(assistant_id, event_id))


def _event_cache_put(item: dict, *, assistant_id: str, just_cancelled: bool = False) -> None:
    if item.get("scheduled_event_id") and just_cancelled:  # the cancel is audited after this store
        cache_put(ScheduledEvent, item, lambda i: event_fields(i, assistant_id=assistant_id, cancelled={i["scheduled_event_id"]}))
    elif item.get("scheduled_event_id"):
        cache_put(ScheduledEvent, item, _to_fields(assistant_id, [item]))
    else:  # nothing to key it by: let the next view re-sync the list
        _expire(assistant_id)


def _expire(assistant_id: str) -> None:
    SyncState.objects.filter(resource=scheduled_resource(assistant_id)).update(synced_at=None)


def scheduled_event(*, user: PortalUser, assistant_id: str, event_id: str) -> LiveOrCached:
    """The event as Telnyx has it now (cached as it comes), or the cached copy (with `.error`)
    if Telnyx fails; a 404 drops the cached row and is raised."""
    require_perm(user, READ)
    return live_or_cached_row(_rows(assistant_id, event_id), lambda: events_api.retrieve(assistant_id, event_id),
                              lambda data: _event_cache_put(data, assistant_id=assistant_id))


def scheduled_event_create(*, user: PortalUser, assistant_id: str, body: dict, idempotency_key: str = "") -> dict:
    """Schedule a call or SMS chat; `body` is the API body (UTC date-time already)."""
    require_perm(user, ADMINISTER)
    label = f"{body.get('telnyx_conversation_channel')} to {body.get('telnyx_end_user_target')}"
    response = telnyx_write(
        lambda: events_api.create(assistant_id, body, idempotency_key=idempotency_key or new_idempotency_key()),
        user=user, action="create", resource_type=RESOURCE_TYPE, resource_id=lambda r: r.data.get("scheduled_event_id", ""),
        label=label, summary=f"Scheduled a {label} at {body.get('scheduled_at_fixed_datetime')} for assistant {assistant_id}",
        failure_summary=f"Tried to schedule a {label}", changes=audit.diff(None, body),
        store=lambda r: _event_cache_put(r.data, assistant_id=assistant_id),
    )
    return response.data


_UNKNOWN = object()


def scheduled_event_cancel(*, user: PortalUser, assistant_id: str, event_id: str) -> None:
    """Cancel a pending event (Telnyx removes the record of any other). The delete has no
    answer, so the event is read back: the cache takes the cancelled event, or drops it if
    Telnyx removed it (or, if that read fails, the list re-syncs on its next view)."""
    require_perm(user, ADMINISTER)
    after: dict = {}

    def call():
        response = events_api.delete(assistant_id, event_id)
        try:
            after["event"] = events_api.retrieve(assistant_id, event_id)
        except NotFoundError:
            after["event"] = None
        except TelnyxError:
            after["event"] = _UNKNOWN
        return response

    def store(_response) -> None:
        event = after.get("event", _UNKNOWN)
        if event is None:
            cache_delete(_rows(assistant_id, event_id))
        elif event is _UNKNOWN:
            _expire(assistant_id)
        else:
            _event_cache_put(event, assistant_id=assistant_id, just_cancelled=True)

    telnyx_write(
        call, user=user, action="cancel", resource_type=RESOURCE_TYPE, resource_id=event_id,
        summary=f"Cancelled scheduled event {event_id} of assistant {assistant_id}",
        failure_summary=f"Tried to cancel scheduled event {event_id}", store=store,
    )

