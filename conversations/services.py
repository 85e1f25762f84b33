"""Conversation writes and syncs: Telnyx first, then the cache, then the audit log.

The conversation list has no page numbers (PostgREST-style `limit`/`order` filters), and
can hold 100,000 rows: it is synced in steps of one batch, ordered by creation time, each
step a separate request, so no request waits for the whole listing.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.cache import cache_delete, cache_put, cache_put_many
from core.live import LiveOrCached, live_or_cached_row
from core.sync import StepOutcome, sync_step
from core.traffic import is_test_traffic
from core.types import PortalUser
from core.writes import telnyx_write
from portal.roles import ADMINISTER, OPERATE, READ, require_perm
from portal.telnyx import TelnyxError
from portal.telnyx.dates import parse_date
from portal.telnyx.resources import conversations as conversations_api

from .models import Conversation
from .transcripts import transcript_store

RESOURCE = "conversations"
RESOURCE_TYPE = "conversation"
BATCH_SIZE = 1000


def _duration(item: dict) -> int | None:
    started, last = parse_date(item.get("created_at")), parse_date(item.get("last_message_at"))
    return int((last - started).total_seconds()) if started and last and last >= started else None


def conversation_fields(item: dict) -> dict:
    """The cache columns of one API conversation object. The list object (SDK `Conversation`: id,
    name, created_at, last_message_at, metadata of strings) carries no message count, so turns,
    response latency and tool results stay unknown (null) until the transcript is read
    (`transcripts.transcript_store`); a sync never sets them, so it never erases them either."""
    metadata = item.get("metadata") or {}
    return {
        "caller": str(metadata.get("telnyx_end_user_target") or "")[:100],
        "callee": str(metadata.get("telnyx_agent_target") or "")[:100],
        "is_test": is_test_traffic(metadata),
        "end_reason": str(metadata.get("end_reason") or metadata.get("hangup_cause") or "")[:100],
        "duration_seconds": _duration(item),
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
    from conversations.insights.store import insight_runs_store, stored_runs

    if result.from_cache:
        return ConversationDetail(conversation=result, messages=[], insights=stored_runs(conversation_id),
                                  messages_error=result.error)
    try:
        messages = list(conversations_api.messages(conversation_id, page_size=100))
        insights = conversations_api.insight_results(conversation_id)
    except TelnyxError as exc:
        return ConversationDetail(conversation=result, messages=[], insights=stored_runs(conversation_id),
                                  messages_error=exc)
    row = Conversation.objects.filter(telnyx_id=conversation_id).first()
    if row is not None:  # what the page read live goes into the store, newest event winning as ever
        insight_runs_store(conversation=row, runs=insights, source="detail")
        transcript_store(conversation_id, messages)  # its words become searchable in the call log
    # Oldest first, as a transcript reads.
    messages.sort(key=lambda m: str(m.get("sent_at") or m.get("created_at") or ""))
    return ConversationDetail(conversation=result, messages=messages, insights=insights)


def conversation_live(*, user: PortalUser, conversation_id: str) -> LiveOrCached:
    """The conversation alone (no messages), live from Telnyx or the cached copy with the error."""
    require_perm(user, READ)
    return live_or_cached_row(Conversation.objects.filter(telnyx_id=conversation_id),
                              lambda: conversations_api.retrieve(conversation_id), conversation_cache_put)


def conversation_cache_put(item: dict) -> Conversation:
    return cache_put(Conversation, item, conversation_fields)


class StaleMetadataError(Exception):
    """The save was refused before anything was sent: someone changed these keys since the
    editor was opened. `current` is the metadata Telnyx has now."""

    def __init__(self, keys: list[str], current: dict):
        self.keys, self.current = keys, current
        super().__init__(f"Someone else changed {', '.join(keys)} since you opened this form. Nothing was saved; "
                         "the form now shows their values next to yours; save again to overwrite them.")

    @property
    def user_message(self) -> str:
        return str(self)


def conversation_create(*, user: PortalUser, name: str, metadata: dict[str, str], idempotency_key: str) -> dict:
    """Create a conversation in Telnyx (the resubmitted form carries the same Idempotency-Key)."""
    require_perm(user, OPERATE)
    body: dict = {"metadata": metadata}
    if name:
        body["name"] = name
    response = telnyx_write(
        lambda: conversations_api.create(body, idempotency_key=idempotency_key),
        user=user, action="create", resource_type=RESOURCE_TYPE, resource_id=lambda r: str(r.data.get("id") or ""),
        label=name, summary=f"Created conversation “{name or 'Untitled'}”",
        changes={"metadata": {"before": None, "after": metadata}} if metadata else None,
        store=lambda r: conversation_cache_put(r.data) if r.data.get("id") else None,
    )
    return response.data


def conversation_add_message(*, user: PortalUser, conversation_id: str, role: str, content: str,
                             idempotency_key: str) -> None:
    """Add one message to a conversation's transcript (Telnyx answers with no body)."""
    require_perm(user, OPERATE)
    row = Conversation.objects.filter(telnyx_id=conversation_id).first()
    telnyx_write(
        lambda: conversations_api.add_message(conversation_id, {"role": role, "content": content},
                                              idempotency_key=idempotency_key),
        user=user, action="update", resource_type=RESOURCE_TYPE, resource_id=conversation_id,
        label=str(row) if row else "", summary=f"Added a {role} message",
        failure_summary=f"Tried to add a {role} message",
    )


def conversation_update_metadata(*, user: PortalUser, conversation_id: str, metadata: dict[str, str],
                                 loaded: dict | None) -> dict:
    """Save the conversation's whole metadata, refused if someone changed a key this save
    sets since `loaded` (what the editor was opened on). Returns Telnyx's metadata."""
    require_perm(user, ADMINISTER)
    current = (conversations_api.retrieve(conversation_id).get("metadata") or {})
    if loaded is not None:
        moved = sorted(k for k in set(loaded) | set(current) if loaded.get(k) != current.get(k)
                       and metadata.get(k) != current.get(k))
        if moved:
            raise StaleMetadataError(moved, current)
    changes = {k: {"before": current.get(k), "after": metadata.get(k)}
               for k in sorted(set(current) | set(metadata)) if current.get(k) != metadata.get(k)}
    row = Conversation.objects.filter(telnyx_id=conversation_id).first()
    response = telnyx_write(
        lambda: conversations_api.update(conversation_id, {"metadata": metadata}),
        user=user, action="update", resource_type=RESOURCE_TYPE, resource_id=conversation_id,
        label=str(row) if row else "", summary=f"Changed metadata: {', '.join(changes) or 'nothing'}",
        failure_summary="Tried to change metadata", changes=changes,
        store=lambda r: conversation_cache_put(r.data) if r.data.get("id") else None,
    )
    return response.data.get("metadata") or {}


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
