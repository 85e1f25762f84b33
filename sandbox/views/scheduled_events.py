"""Scheduled events (phone calls and SMS chats) of an assistant."""

from __future__ import annotations

import hashlib

from sandbox.api import ApiError, Enum, check_fields, error_object, iso, new_id, no_content, now, ok, paginate, parse_datetime_field, validate
from sandbox.behaviour import assistants as svc
from sandbox.behaviour import clock
from sandbox.models import SbScheduledEvent

CHANNELS = ("phone_call", "sms_chat")
SIP_REGIONS = ("US", "Europe", "Canada", "Australia", "Middle East")
ECHOED = ("conversation_metadata", "dynamic_variables", "max_retries_client_errors", "retry_interval_secs",
          "call_settings", "text")


def event_status(event: SbScheduledEvent) -> str:
    """pending until due, in_progress while the simulated call/SMS runs, then completed."""
    if event.cancelled:
        return "failed"
    current = now()
    if current < event.scheduled_at:
        return "pending"
    return "completed" if clock.progress(event.scheduled_at, at=current) >= 1 else "in_progress"


def event_json(event: SbScheduledEvent) -> dict:
    status = event_status(event)
    data = {
        "scheduled_event_id": event.pk,
        "assistant_id": event.assistant_id,
        "telnyx_conversation_channel": event.channel,
        "scheduled_at_fixed_datetime": iso(event.scheduled_at),
        "created_at": iso(event.created_at),
        "status": status,
        "retry_count": 0,
        "errors": ["Cancelled before it was dispatched."] if event.cancelled else [],
        # Telnyx's word for a call that was called off (a documented `call_status`).
        **({"call_status": "canceled"} if event.cancelled and event.channel == "phone_call" else {}),
        **{k: event.data[k] for k in ("telnyx_agent_target", "telnyx_end_user_target") if k in event.data},
        **{k: event.data[k] for k in ECHOED if k in event.data},
    }
    if event.channel == "phone_call" and status in ("in_progress", "completed"):
        duration = 30 + int(hashlib.sha1(event.pk.encode()).hexdigest()[:4], 16) % 240
        data.update({"dispatched_at": iso(event.scheduled_at), "retry_attempts": 0,
                     "call_status": "completed" if status == "completed" else "in-progress",
                     "call_attempts": [{"attempt_number": 1, "attempted_at": iso(event.scheduled_at),
                                        "call_status": "completed" if status == "completed" else "in-progress",
                                        **({"call_duration": duration} if status == "completed" else {})}]})
        if status == "completed":
            data["call_duration"] = duration
    return data


def _event(assistant_id, event_id) -> SbScheduledEvent:
    event = SbScheduledEvent.objects.filter(pk=event_id, assistant_id=assistant_id).first()
    if event is None:
        raise ApiError(404, f"Scheduled event {event_id} not found.")
    return event


def event_list(request, assistant_id):
    svc.get_assistant(assistant_id)
    events = SbScheduledEvent.objects.filter(assistant_id=assistant_id)
    channel = request.GET.get("conversation_channel")
    if channel:
        if channel not in CHANNELS:
            raise ApiError(400, "Unknown conversation_channel.", parameter="conversation_channel")
        events = events.filter(channel=channel)
    for name, lookup in (("from_date", "scheduled_at__gte"), ("to_date", "scheduled_at__lte")):
        if request.GET.get(name):
            try:
                events = events.filter(**{lookup: parse_datetime_field(request.GET[name], name)})
            except ApiError:
                raise ApiError(400, f"{name} must be an ISO 8601 date-time.", parameter=name) from None
    return ok(paginate(request, events.order_by("scheduled_at", "id"), event_json))


def _validate(body: dict) -> None:
    validate(body, required={"scheduled_at_fixed_datetime": str, "telnyx_agent_target": str,
                             "telnyx_end_user_target": str, "telnyx_conversation_channel": Enum(*CHANNELS)},
             optional={"text": str, "conversation_metadata": dict, "dynamic_variables": dict,
                       "max_retries_client_errors": int, "retry_interval_secs": int, "call_settings": dict})
    errors = []
    if body["telnyx_conversation_channel"] == "sms_chat" and not body.get("text"):
        errors.append(error_object(422, "'text' is required for sms_chat events.", pointer="/text"))
    if body.get("call_settings"):
        errors += check_fields(body["call_settings"], optional={"sip_region": Enum(*SIP_REGIONS)},
                               prefix="/call_settings")
    for key, value in (body.get("conversation_metadata") or {}).items():
        if not isinstance(value, (str, int, bool)):
            errors.append(error_object(422, "Must be a string, integer or boolean.",
                                       pointer=f"/conversation_metadata/{key}"))
    for key, value in (body.get("dynamic_variables") or {}).items():
        if not isinstance(value, str):
            errors.append(error_object(422, "Must be a string.", pointer=f"/dynamic_variables/{key}"))
    if errors:
        raise ApiError(422, errors=errors)


def event_create(request, assistant_id):
    body = request.json
    _validate(body)
    svc.get_assistant(assistant_id)
    scheduled_at = parse_datetime_field(body["scheduled_at_fixed_datetime"], "/scheduled_at_fixed_datetime")
    data = {k: body[k] for k in ("telnyx_agent_target", "telnyx_end_user_target", *ECHOED) if k in body}
    event = SbScheduledEvent.objects.create(id=new_id(), assistant_id=assistant_id,
                                            channel=body["telnyx_conversation_channel"],
                                            scheduled_at=scheduled_at, data=data, created_at=now())
    return ok(event_json(event))


def event_retrieve(request, assistant_id, event_id):
    return ok(event_json(_event(assistant_id, event_id)))


def event_delete(request, assistant_id, event_id):
    """Cancel a pending event (it stays, marked failed); remove any other."""
    event = _event(assistant_id, event_id)
    if event_status(event) == "pending":
        event.cancelled = True
        event.save(update_fields=["cancelled"])
    else:
        event.delete()
    return no_content()
