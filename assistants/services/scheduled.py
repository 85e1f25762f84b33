"""Scheduled events of an assistant (phone calls and SMS chats): list, read, create, cancel.

Read live (the list is per assistant and changes as events fire); writes are audited.
"""

from __future__ import annotations

from core import audit
from portal.roles import ADMINISTER, READ, require_perm
from portal.telnyx import TelnyxError, get_client, new_idempotency_key

RESOURCE_TYPE = "scheduled_event"
STATUSES = ("pending", "in_progress", "completed", "failed")
CHANNELS = (("phone_call", "Phone call"), ("sms_chat", "SMS chat"))


def _path(assistant_id: str, event_id: str = "") -> str:
    base = f"ai/assistants/{assistant_id}/scheduled_events"
    return f"{base}/{event_id}" if event_id else base


def scheduled_events(*, user, assistant_id: str, channel: str = "", status: str = "") -> list[dict]:
    """Every event of the assistant, soonest first; `channel` filters in Telnyx, `status` here
    (the API has no status filter)."""
    require_perm(user, READ)
    params = {"conversation_channel": channel} if channel else {}
    events = list(get_client().paginate(_path(assistant_id), params=params, page_size=100, max_pages=50))
    return [e for e in events if not status or e.get("status") == status]


def scheduled_event(*, user, assistant_id: str, event_id: str) -> dict:
    require_perm(user, READ)
    return get_client().get(_path(assistant_id, event_id)).data or {}


def scheduled_event_create(*, user, assistant_id: str, body: dict, idempotency_key: str = "") -> dict:
    """Schedule a call or SMS chat; `body` is the API body (UTC date-time already)."""
    require_perm(user, ADMINISTER)
    label = f"{body.get('telnyx_conversation_channel')} to {body.get('telnyx_end_user_target')}"
    try:
        response = get_client().post(_path(assistant_id), json=body,
                                     idempotency_key=idempotency_key or new_idempotency_key())
    except TelnyxError as exc:
        audit.record(user=user, action="create", resource_type=RESOURCE_TYPE, resource_label=label,
                     summary=f"Tried to schedule a {label}", changes=audit.diff(None, body), error=exc)
        raise
    created = response.data or {}
    audit.record(user=user, action="create", resource_type=RESOURCE_TYPE,
                 resource_id=created.get("scheduled_event_id", ""), resource_label=label,
                 summary=f"Scheduled a {label} at {body.get('scheduled_at_fixed_datetime')} for assistant {assistant_id}",
                 changes=audit.diff(None, body), response=response)
    return created


def scheduled_event_cancel(*, user, assistant_id: str, event_id: str) -> None:
    """Cancel a pending event (Telnyx removes the record of any other)."""
    require_perm(user, ADMINISTER)
    try:
        response = get_client().delete(_path(assistant_id, event_id))
    except TelnyxError as exc:
        audit.record(user=user, action="cancel", resource_type=RESOURCE_TYPE, resource_id=event_id,
                     summary=f"Tried to cancel scheduled event {event_id}", error=exc)
        raise
    audit.record(user=user, action="cancel", resource_type=RESOURCE_TYPE, resource_id=event_id,
                 summary=f"Cancelled scheduled event {event_id} of assistant {assistant_id}", response=response)
