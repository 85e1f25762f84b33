"""Conversations: create (bare), list (PostgREST filters), get/update (wrapped in data),
delete, add message, messages (paginated), conversation insights."""

from __future__ import annotations

import hashlib
import json

from sandbox.api import (
    ApiError,
    Enum,
    ListOf,
    check_fields,
    error_object,
    get_or_not_found,
    iso,
    new_id,
    no_content,
    now,
    ok,
    paginate,
    parse_datetime_field,
    validate,
)
from sandbox.behaviour.conversation_filters import apply_filters
from sandbox.behaviour.quality import QUALITY_INSIGHT_ID, SUMMARY_INSIGHT_ID, quality
from sandbox.models import SbConversation, SbMessage

MESSAGE_ROLES = ("user", "assistant", "tool")
# A stable id for the built-in "summary" insight template the stub insights refer to.


def conversation_json(conversation: SbConversation) -> dict:
    data = {"id": conversation.pk, "created_at": iso(conversation.created_at),
            "last_message_at": iso(conversation.last_message_at), "metadata": conversation.metadata}
    if conversation.name:
        data["name"] = conversation.name
    return data


def message_json(message: SbMessage) -> dict:
    data = {"role": message.role, "text": message.text, "created_at": iso(message.created_at),
            "metadata": message.metadata or {}}
    if message.sent_at:
        data["sent_at"] = iso(message.sent_at)
    if message.tool_calls:
        data["tool_calls"] = message.tool_calls
    return data


def get_conversation(conversation_id: str) -> SbConversation:
    return get_or_not_found(SbConversation, conversation_id, "Conversation")


def _check_metadata(metadata) -> dict:
    """Conversation metadata is ``Dict[str, str]`` in the SDK."""
    if metadata is None:
        return {}
    bad = [k for k, v in metadata.items() if not isinstance(v, str)]
    if bad:
        raise ApiError(422, errors=[error_object(422, "Metadata values must be strings.",
                                                 pointer=f"/metadata/{k}") for k in bad])
    return metadata


def conversation_list(request):
    conversations = apply_filters(SbConversation.objects.all(), request.GET)
    return ok({"data": [conversation_json(c) for c in conversations]})


def conversation_create(request):
    body = request.json
    validate(body, optional={"metadata": dict, "name": str})
    at = now()
    conversation = SbConversation(id=new_id(), name=body.get("name") or "", created_at=at, last_message_at=at)
    conversation.set_metadata(_check_metadata(body.get("metadata")))
    conversation.save()
    return ok(conversation_json(conversation))


def conversation_retrieve(request, conversation_id):
    return ok({"data": conversation_json(get_conversation(conversation_id))})


def conversation_update(request, conversation_id):
    body = request.json
    validate(body, optional={"metadata": dict})
    conversation = get_conversation(conversation_id)
    conversation.set_metadata({**conversation.metadata, **_check_metadata(body.get("metadata"))})
    conversation.save()
    return ok({"data": conversation_json(conversation)})


def conversation_delete(request, conversation_id):
    get_conversation(conversation_id).delete()
    return no_content()


def _tool_call_errors(tool_calls: list) -> list[dict]:
    errors = []
    for index, call in enumerate(tool_calls):
        pointer = f"/tool_calls/{index}"
        errors += check_fields(call, required={"id": str, "type": Enum("function"), "function": dict}, prefix=pointer)
        if isinstance(call.get("function"), dict):
            errors += check_fields(call["function"], required={"name": str, "arguments": str},
                                   prefix=f"{pointer}/function")
    return errors


def message_add(request, conversation_id):
    body = request.json
    validate(body, required={"role": Enum(*MESSAGE_ROLES)},
             optional={"content": str, "name": str, "metadata": dict, "tool_call_id": str,
                       "tool_calls": ListOf(dict), "sent_at": str, "tool_choice": (str, dict)})
    errors = _tool_call_errors(body.get("tool_calls") or [])
    if errors:
        raise ApiError(422, errors=errors)
    conversation = get_conversation(conversation_id)
    sent_at = parse_datetime_field(body["sent_at"], "/sent_at") if body.get("sent_at") else None
    metadata = dict(body.get("metadata") or {})
    if body.get("tool_call_id"):
        metadata["tool_call_id"] = body["tool_call_id"]
    at = now()
    SbMessage.objects.create(conversation=conversation, role=body["role"], text=body.get("content") or "",
                             name=body.get("name") or "", metadata=metadata,
                             tool_calls=body.get("tool_calls") or [], created_at=at, sent_at=sent_at)
    conversation.last_message_at = at
    conversation.save(update_fields=["last_message_at"])
    return no_content()


def message_list(request, conversation_id):
    conversation = get_conversation(conversation_id)
    return ok(paginate(request, conversation.messages.order_by("created_at", "id"), message_json))


def insights_retrieve(request, conversation_id):
    """Stub insights: a completed summary and quality score once a conversation has both sides talking."""
    conversation = get_conversation(conversation_id)
    messages = list(conversation.messages.order_by("created_at", "id")[:50])
    records = []
    if {m.role for m in messages} >= {"user", "assistant"}:
        first_user = next(m.text for m in messages if m.role == "user")
        summary = {"summary": f"The user asked about: {first_user[:80]}", "messages": len(messages),
                   "resolved": messages[-1].role == "assistant"}
        record_id = hashlib.sha1(conversation.pk.encode()).hexdigest()
        records.append({
            "id": f"{record_id[:8]}-{record_id[8:12]}-{record_id[12:16]}-{record_id[16:20]}-{record_id[20:32]}",
            "created_at": iso(conversation.last_message_at),
            "status": "completed",
            "conversation_insights": [{"insight_id": SUMMARY_INSIGHT_ID, "result": json.dumps(summary)},
                                      {"insight_id": QUALITY_INSIGHT_ID, "result": json.dumps(quality(conversation))}],
        })
    return ok({"data": records, "meta": {"page_number": 1, "page_size": 20, "total_pages": 1,
                                         "total_results": len(records)}})
