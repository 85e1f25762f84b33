"""Conversation writes and syncs: Telnyx first, then the cache, then the audit log.

The conversation list has no page numbers (PostgREST-style `limit`/`order` filters), and
can hold 100,000 rows: it is synced in steps of one batch, ordered by creation time, each
step a separate request, so no request waits for the whole listing.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.types import PortalUser

from core.cache import cache_delete, cache_put, cache_put_many
from core.live import LiveOrCached, live_or_cached_row
from core.sync import StepOutcome, sync_step
from core.writes import telnyx_write
from portal.roles import ADMINISTER, READ, require_perm
from portal.telnyx import TelnyxError
from portal.telnyx.resources import conversations as conversations_api
from portal.telnyx.resources._base import parse_date

from .models import Conversation

RESOURCE = "conversations"
RESOURCE_TYPE = "conversation"
BATCH_SIZE = 1000


def conversation_fields(item: dict) -> dict:
    """The cache columns of one API conversation object."""
    metadata = item.get("metadata") or {}
    return {
        "telnyx_id": item["id"],
        "name": str(item.get("name") or "")[:300],
        "assistant_id": str(metadata.get("assistant_id") or "")[:200],
        "assistant_version_id": str(metadata.get("assistant_version_id") or "")[:200],
        "channel": str(metadata.get("telnyx_conversation_channel") or metadata.get("channel") or "")[:50],
        "ai_disabled": str(metadata.get("ai_disabled", "")).lower() == "true",
        "created_at": parse_date(item.get("created_at")),
        "last_message_at": parse_date(item.get("last_message_at")),
    }


def _store(items: list[dict]) -> int:
    return cache_put_many(Conversation, items, conversation_fields)


def fetch_batch(cursor: str) -> tuple[list[dict], str | None]:
    """One batch in creation order from `cursor` (an ISO time), and the next cursor."""
    params = {"order": "created_at.asc", "limit": BATCH_SIZE}
    if cursor:
        # gte, not gt: rows created in the same instant as the cursor are not skipped
        # (the repeat is harmless, rows are upserted).
        params["created_at"] = f"gte.{cursor}"
    items = conversations_api.list_page(params=params)
    if len(items) == BATCH_SIZE and str(items[-1].get("created_at")) == cursor:
        # A whole batch created in the cursor's instant: step past that instant, or we loop.
        items = conversations_api.list_page(params={**params, "created_at": f"gt.{cursor}"})
    if len(items) < BATCH_SIZE:
        return items, None
    return items, str(items[-1].get("created_at"))


def _finish(run_started_at) -> int:
    cache_delete(Conversation.objects.filter(synced_at__lt=run_started_at))
    return Conversation.objects.count()


def conversations_sync_step(*, run_id: str = "", fetch_batch=fetch_batch) -> StepOutcome:
    """One step of the conversation sync (a new run when `run_id` is empty). The worker passes
    a `core.sync.prefetching` fetch_batch, so the next batch is read while this one is stored."""
    return sync_step(RESOURCE, run_id=run_id, fetch_batch=fetch_batch, store_batch=_store, finish=_finish)


@dataclass
class ConversationDetail:
    conversation: LiveOrCached
    messages: list[dict]
    insights: list[dict]
    messages_error: TelnyxError | None = None


def conversation_fetch(*, user: PortalUser, conversation_id: str) -> ConversationDetail:
    """The conversation live from Telnyx (cached as it comes) with its messages and insights.

    If Telnyx fails, the cached conversation is shown and messages are reported missing.
    """
    require_perm(user, READ)
    result = live_or_cached_row(
        Conversation.objects.filter(telnyx_id=conversation_id),
        lambda: conversations_api.retrieve(conversation_id),
        conversation_cache_put,
    )
    if result.from_cache:
        return ConversationDetail(conversation=result, messages=[], insights=[], messages_error=result.error)
    try:
        messages = list(conversations_api.messages(conversation_id, page_size=100))
        insights = conversations_api.insight_results(conversation_id)
    except TelnyxError as exc:
        return ConversationDetail(conversation=result, messages=[], insights=[], messages_error=exc)
    # Oldest first, as a transcript reads.
    messages.sort(key=lambda m: str(m.get("sent_at") or m.get("created_at") or ""))
    return ConversationDetail(conversation=result, messages=messages, insights=insights)


def conversation_cache_put(item: dict) -> Conversation:
    return cache_put(Conversation, item, conversation_fields)


def conversation_set_ai(*, user: PortalUser, conversation_id: str, enabled: bool) -> dict:
    """Turn AI replies on or off for one conversation (metadata `ai_disabled`)."""
    require_perm(user, ADMINISTER)
    body = {"metadata": {"ai_disabled": "false" if enabled else "true"}}
    verb = "Enabled" if enabled else "Disabled"
    row = Conversation.objects.filter(telnyx_id=conversation_id).first()
    changes = {"ai_disabled": {"before": row.ai_disabled if row else None, "after": not enabled}}
    response = telnyx_write(
        lambda: conversations_api.update(conversation_id, body),
        user=user, action="update", resource_type=RESOURCE_TYPE, resource_id=conversation_id,
        label=str(row) if row else "", summary=f"{verb} AI replies",
        failure_summary=f"Tried to {'enable' if enabled else 'disable'} AI replies", changes=changes,
        store=lambda r: conversation_cache_put(r.data) if r.data.get("id") else None,
    )
    return response.data


def conversation_delete(*, user: PortalUser, conversation_id: str) -> None:
    """Delete a conversation in Telnyx and drop it from the cache."""
    require_perm(user, ADMINISTER)
    rows = Conversation.objects.filter(telnyx_id=conversation_id)
    row = rows.first()
    label = str(row) if row else conversation_id
    telnyx_write(
        lambda: conversations_api.delete(conversation_id),
        user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=conversation_id, label=label,
        summary=f"Deleted conversation “{label}”", failure_summary=f"Tried to delete conversation “{label}”",
        store=lambda r: cache_delete(rows),
    )
