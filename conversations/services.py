"""Conversation writes and syncs: Telnyx first, then the cache, then the audit log.

The conversation list has no page numbers (PostgREST-style `limit`/`order` filters), and
can hold 100,000 rows: it is synced in steps of one batch, ordered by creation time, each
step a separate request, so no request waits for the whole listing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.dateparse import parse_datetime

from core import audit
from core.cache import cache_delete, cache_put, cache_put_many
from core.live import LiveOrCached, live_or_cached_row
from portal.roles import ADMINISTER, READ, require_perm
from core.sync import StepOutcome, sync_step
from portal.telnyx import TelnyxError, get_client

from .models import Conversation

RESOURCE = "conversations"
RESOURCE_TYPE = "conversation"
BATCH_SIZE = 1000


def conversation_fields(item: dict) -> dict:
    """The cache columns of one API conversation object."""
    metadata = item.get("metadata") or {}

    def when(key: str):
        value = item.get(key)
        return parse_datetime(str(value)) if value else None

    return {
        "telnyx_id": item["id"],
        "name": str(item.get("name") or "")[:300],
        "assistant_id": str(metadata.get("assistant_id") or "")[:200],
        "assistant_version_id": str(metadata.get("assistant_version_id") or "")[:200],
        "channel": str(metadata.get("telnyx_conversation_channel") or metadata.get("channel") or "")[:50],
        "ai_disabled": str(metadata.get("ai_disabled", "")).lower() == "true",
        "created_at": when("created_at"),
        "last_message_at": when("last_message_at"),
    }


def _store(items: list[dict]) -> int:
    return cache_put_many(Conversation, items, conversation_fields)


def _fetch_batch(cursor: str) -> tuple[list[dict], str | None]:
    """One batch in creation order from `cursor` (an ISO time), and the next cursor."""
    params = {"order": "created_at.asc", "limit": BATCH_SIZE}
    if cursor:
        # gte, not gt: rows created in the same instant as the cursor are not skipped
        # (the repeat is harmless, rows are upserted).
        params["created_at"] = f"gte.{cursor}"
    items = _conversation_page(params)
    if len(items) == BATCH_SIZE and str(items[-1].get("created_at")) == cursor:
        # A whole batch created in the cursor's instant: step past that instant, or we loop.
        items = _conversation_page({**params, "created_at": f"gt.{cursor}"})
    if len(items) < BATCH_SIZE:
        return items, None
    return items, str(items[-1].get("created_at"))


def _conversation_page(params: dict) -> list[dict]:
    return (get_client().get("ai/conversations", params=params).data or {}).get("data") or []


def _finish(run_started_at) -> int:
    cache_delete(Conversation.objects.filter(synced_at__lt=run_started_at))
    return Conversation.objects.count()


def conversations_sync_step(*, run_id: str = "") -> StepOutcome:
    """One step of the conversation sync (a new run when `run_id` is empty)."""
    return sync_step(RESOURCE, run_id=run_id, fetch_batch=_fetch_batch, store_batch=_store, finish=_finish)


@dataclass
class ConversationDetail:
    conversation: LiveOrCached
    messages: list[dict]
    insights: list[dict]
    messages_error: TelnyxError | None = None


def conversation_fetch(*, user, conversation_id: str) -> ConversationDetail:
    """The conversation live from Telnyx (cached as it comes) with its messages and insights.

    If Telnyx fails, the cached conversation is shown and messages are reported missing.
    """
    require_perm(user, READ)
    client = get_client()

    result = live_or_cached_row(
        Conversation.objects.filter(telnyx_id=conversation_id),
        lambda: (client.get(f"ai/conversations/{conversation_id}").data or {}).get("data") or {},
        conversation_cache_put,
    )
    if result.from_cache:
        return ConversationDetail(conversation=result, messages=[], insights=[], messages_error=result.error)
    try:
        messages = list(client.paginate(f"ai/conversations/{conversation_id}/messages", page_size=100))
        insights = (client.get(f"ai/conversations/{conversation_id}/conversations-insights").data or {}).get("data") or []
    except TelnyxError as exc:
        return ConversationDetail(conversation=result, messages=[], insights=[], messages_error=exc)
    # Oldest first, as a transcript reads.
    messages.sort(key=lambda m: str(m.get("sent_at") or m.get("created_at") or ""))
    return ConversationDetail(conversation=result, messages=messages, insights=insights)


def conversation_cache_put(item: dict) -> Conversation:
    return cache_put(Conversation, item, conversation_fields)


def conversation_set_ai(*, user, conversation_id: str, enabled: bool) -> dict:
    """Turn AI replies on or off for one conversation (metadata `ai_disabled`)."""
    require_perm(user, ADMINISTER)
    body = {"metadata": {"ai_disabled": "false" if enabled else "true"}}
    verb = "Enabled" if enabled else "Disabled"
    before = Conversation.objects.filter(telnyx_id=conversation_id).values_list("ai_disabled", flat=True).first()
    changes = {"ai_disabled": {"before": before, "after": not enabled}}
    try:
        response = get_client().put(f"ai/conversations/{conversation_id}", json=body)
    except TelnyxError as exc:
        audit.record(user=user, action="update", resource_type=RESOURCE_TYPE, resource_id=conversation_id,
                     summary=f"Tried to {'enable' if enabled else 'disable'} AI replies", changes=changes, error=exc)
        raise
    data = (response.data or {}).get("data") or {}
    with transaction.atomic():
        if data.get("id"):
            conversation_cache_put(data)
        audit.record(user=user, action="update", resource_type=RESOURCE_TYPE, resource_id=conversation_id,
                     resource_label=data.get("name", ""), summary=f"{verb} AI replies",
                     changes=changes, response=response)
    return data


def conversation_delete(*, user, conversation_id: str) -> None:
    """Delete a conversation in Telnyx and drop it from the cache."""
    require_perm(user, ADMINISTER)
    row = Conversation.objects.filter(telnyx_id=conversation_id).first()
    label = str(row) if row else conversation_id
    try:
        response = get_client().delete(f"ai/conversations/{conversation_id}")
    except TelnyxError as exc:
        audit.record(user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=conversation_id,
                     resource_label=label, summary=f"Tried to delete conversation “{label}”", error=exc)
        raise
    with transaction.atomic():
        cache_delete(Conversation.objects.filter(telnyx_id=conversation_id))
        audit.record(user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=conversation_id,
                     resource_label=label, summary=f"Deleted conversation “{label}”", response=response)
