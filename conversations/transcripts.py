"""Transcript words for the call log's search: kept when the portal reads a conversation's
messages (its page) and by the indexer on the worker, searched through a full-text index
(FTS5 on SQLite, migration 0007; on PostgreSQL a GIN index over a stored tsvector column,
migration 0010, so a common word is never re-parsed row by row) in one subquery.

The list object Telnyx returns has no messages, so a conversation's words are searchable once
it was read: the indexer reads the newest real conversations first, `INDEX_BATCH` per sweep,
so recent calls are findable soon after a sync without a burst of calls to Telnyx.
"""

from __future__ import annotations

import json
import re

from django.db import connection, transaction

from core.cache import cache_update
from core.sync import SyncOutcome, run_sync
from portal.telnyx import NotFoundError
from portal.telnyx.dates import parse_date
from portal.telnyx.resources import conversations as conversations_api

from .models import Conversation, ConversationTranscript

RESOURCE = "conversation-transcripts"
#: Conversations whose messages one indexing run reads (one call each, newest first).
INDEX_BATCH = 200
#: Words of a search used at most (each must appear).
MAX_WORDS = 8
WORD = re.compile(r"\w+", re.UNICODE)


FAILED_WORDS = ("error", "failed", "failure", "fail", "timeout", "timed_out")


def tool_failed(message: dict) -> bool:
    """A tool message (SDK `MessageListResponse`: role "tool", the result in `text`, optional
    `metadata`) whose result says it failed: metadata `error` set or a `status` naming a failure,
    or a JSON result holding an `error`, `success: false` or such a status, or text opening "Error"."""
    metadata = message.get("metadata") or {}
    if metadata.get("error") or str(metadata.get("status") or "").lower() in FAILED_WORDS:
        return True
    text = str(message.get("text") or message.get("content") or "").strip()
    if text.startswith("{"):
        try:
            result = json.loads(text)
        except ValueError:
            result = None
        if isinstance(result, dict):
            return bool(result.get("error")) or result.get("success") is False or \
                str(result.get("status") or "").lower() in FAILED_WORDS
    return text.lower().startswith(("error", "failed"))


def _at(message: dict):
    # `sent_at` is when the caller experienced it (the SDK's docstring); `created_at` otherwise.
    return parse_date(message.get("sent_at")) or parse_date(message.get("created_at"))


def transcript_measures(messages: list[dict]) -> dict:
    """What a transcript says beyond its words: turns (messages), the mean response latency (ms from
    a caller's message to the first assistant message after it; tool steps in between count as
    waiting), tool calls and failed tool results."""
    timed = sorted((m for m in messages if _at(m)), key=_at)
    gaps, waiting_since = [], None
    for message in timed:
        if message.get("role") == "user":
            waiting_since = waiting_since or _at(message)
        elif message.get("role") == "assistant" and waiting_since and (message.get("text") or message.get("content")):
            gaps.append((_at(message) - waiting_since).total_seconds() * 1000)
            waiting_since = None
    results = [m for m in messages if m.get("role") == "tool"]
    calls = sum(len(m.get("tool_calls") or []) for m in messages if m.get("role") == "assistant")
    return {"turns": len(messages), "response_latency_ms": round(sum(gaps) / len(gaps)) if gaps else None,
            "tool_calls": max(calls, len(results)), "tool_failures": sum(1 for m in results if tool_failed(m))}


def transcript_store(conversation_id: str, messages: list[dict]) -> None:
    """Keep the messages' words, and the conversation's turns, response latency and tool results
    (its row and the per-hour sums alert rules read move together, through `cache_update`)."""
    text = "\n".join(str(m.get("text") or m.get("content") or "") for m in messages)
    measures = transcript_measures(messages)
    turns = measures["turns"]
    kept = ConversationTranscript.objects.filter(conversation_id=conversation_id).values_list("text", "turns").first()
    row = Conversation.objects.filter(telnyx_id=conversation_id).values(*measures).first()
    if kept == (text, turns) and row in (None, measures):
        return  # unchanged (a page opened again): no write, so the lists' kept pages stay valid
    with transaction.atomic():
        # Written whenever anything changed: its `indexed_at` tells the live gate to read the row again.
        ConversationTranscript.objects.update_or_create(conversation_id=conversation_id,
                                                        defaults={"text": text, "turns": turns})
        if row is not None and row != measures:
            cache_update(Conversation.objects.filter(telnyx_id=conversation_id), **measures)


def _unindexed(limit: int) -> list[str]:
    indexed = ConversationTranscript.objects.filter(conversation_id__in=Conversation.objects.filter(is_test=False)
                                                    .order_by("-created_at").values("telnyx_id")[:limit * 5])
    done = set(indexed.values_list("conversation_id", flat=True))
    newest = Conversation.objects.filter(is_test=False).order_by("-created_at").values_list("telnyx_id", flat=True)[:limit * 5]
    return [c for c in newest if c not in done][:limit]


def transcripts_index(limit: int = INDEX_BATCH) -> SyncOutcome:
    """Read and keep the transcripts of the newest real conversations not indexed yet."""
    def fetch():
        items = []
        for conversation_id in _unindexed(limit):
            try:
                messages = list(conversations_api.messages(conversation_id, page_size=100, max_pages=3))
            except NotFoundError:
                messages = []  # gone from Telnyx since the sync: nothing to search, not asked again
            items.append((conversation_id, messages))
        return items

    def store(items):
        for conversation_id, messages in items:
            transcript_store(conversation_id, messages)
        return len(items)

    return run_sync(RESOURCE, fetch, store)


def _fts_query(words: list[str]) -> str:
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def transcript_ids_sql(query: str) -> tuple[str, list] | None:
    """SQL selecting the conversation ids whose transcript holds every word of `query`, through
    the full-text index (None when the query has no words)."""
    words = WORD.findall(query.lower())[:MAX_WORDS]
    if not words:
        return None
    if connection.vendor == "sqlite":
        return ("SELECT t.conversation_id FROM conversations_conversationtranscript t "
                "JOIN conversations_transcript_fts f ON f.rowid = t.id WHERE conversations_transcript_fts MATCH %s",
                [_fts_query(words)])
    if connection.vendor == "postgresql":
        return ("SELECT conversation_id FROM conversations_conversationtranscript "
                "WHERE search_tsv @@ plainto_tsquery('simple', %s)", [" ".join(words)])
    sql, params = ConversationTranscript.objects.filter(text__icontains=query).values("conversation_id").query.sql_with_params()
    return sql, list(params)

