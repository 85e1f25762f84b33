"""Scheduled events of an assistant (phone calls and SMS chats): list, read, create, cancel.

Read live (the list is per assistant and changes as events fire); writes are audited.
"""

from __future__ import annotations

from core import audit
from core.types import PortalUser
from core.writes import telnyx_write
from portal.roles import ADMINISTER, READ, require_perm
from portal.telnyx import new_idempotency_key
from portal.telnyx.resources import scheduled_events as events_api

RESOURCE_TYPE = "scheduled_event"
STATUSES = ("pending", "in_progress", "completed", "failed")
CHANNELS = (("phone_call", "Phone call"), ("sms_chat", "SMS chat"))


def scheduled_events(*, user: PortalUser, assistant_id: str, channel: str = "", status: str = "") -> list[dict]:
    """Every event of the assistant, soonest first; `channel` filters in Telnyx, `status` here
    (the API has no status filter)."""
    require_perm(user, READ)
    params = {"conversation_channel": channel} if channel else {}
    events = list(events_api.list_all(assistant_id, params=params))
    return [e for e in events if not status or e.get("status") == status]


def scheduled_event(*, user: PortalUser, assistant_id: str, event_id: str) -> dict:
    require_perm(user, READ)
    return events_api.retrieve(assistant_id, event_id)


def scheduled_event_create(*, user: PortalUser, assistant_id: str, body: dict, idempotency_key: str = "") -> dict:
    """Schedule a call or SMS chat; `body` is the API body (UTC date-time already)."""
    require_perm(user, ADMINISTER)
    label = f"{body.get('telnyx_conversation_channel')} to {body.get('telnyx_end_user_target')}"
    response = telnyx_write(
        lambda: events_api.create(assistant_id, body, idempotency_key=idempotency_key or new_idempotency_key()),
        user=user, action="create", resource_type=RESOURCE_TYPE, resource_id=lambda r: r.data.get("scheduled_event_id", ""),
        label=label, summary=f"Scheduled a {label} at {body.get('scheduled_at_fixed_datetime')} for assistant {assistant_id}",
        failure_summary=f"Tried to schedule a {label}", changes=audit.diff(None, body),
    )
    return response.data


def scheduled_event_cancel(*, user: PortalUser, assistant_id: str, event_id: str) -> None:
    """Cancel a pending event (Telnyx removes the record of any other)."""
    require_perm(user, ADMINISTER)
    telnyx_write(
        lambda: events_api.delete(assistant_id, event_id),
        user=user, action="cancel", resource_type=RESOURCE_TYPE, resource_id=event_id,
        summary=f"Cancelled scheduled event {event_id} of assistant {assistant_id}",
        failure_summary=f"Tried to cancel scheduled event {event_id}",
    )
