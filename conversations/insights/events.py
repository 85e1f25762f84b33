"""Insight results pushed by Telnyx webhooks: keep each verified event once, then apply it on
the worker, newest result per (conversation, insight) wins.

Deliveries can be duplicated (same event id: kept once, applied once), delayed or out of order
(an event older than the stored result changes nothing).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from conversations.insights.signatures import TelnyxEvent
from conversations.insights.store import insight_result_store
from conversations.models import InsightEvent
from core.background import enqueue

PROCESS_TASK = "conversations.tasks.process_insight_event"


def insight_event_receive(event: TelnyxEvent) -> tuple[InsightEvent, bool]:
    """Store a verified event unless it was already received; queue its processing if new."""
    try:
        with transaction.atomic():
            stored = InsightEvent.objects.create(
                event_id=event.id, event_type=event.event_type, occurred_at=event.occurred_at,
                conversation_id=str(event.payload.get("conversation_id") or ""), payload=event.payload)
    except IntegrityError:
        return InsightEvent.objects.get(event_id=event.id), False
    transaction.on_commit(lambda: _queue(stored.pk))
    return stored, True


def _queue(event_pk: int) -> None:
    enqueue(PROCESS_TASK, event_pk)


def _results(payload: dict):
    """(insight id, result, status) for every generated result in a `call.analyzed`-shaped payload."""
    for entry in payload.get("conversation_insights") or []:
        if not isinstance(entry, dict):
            continue
        for item in entry.get("conversation_insights") or []:
            if isinstance(item, dict) and item.get("insight_id"):
                yield str(item["insight_id"]), str(item.get("result") or ""), str(entry.get("status") or "")


def insight_event_apply(event_pk: int) -> str:
    """Apply a stored event once; returns what happened, in words (also kept on the event)."""
    with transaction.atomic():
        event = InsightEvent.objects.select_for_update().filter(pk=event_pk).first()
        if event is None or event.processed_at is not None:
            return "already applied"
        applied = stale = 0
        for insight_id, result, status in _results(event.payload):
            if insight_result_store(conversation_id=event.conversation_id, template_id=insight_id, result=result,
                                    status=status, occurred_at=event.occurred_at, event_id=event.event_id,
                                    source="webhook"):
                applied += 1
            else:
                stale += 1
        parts = [f"{applied} result{'s' if applied != 1 else ''} applied"]
        if stale:
            parts.append(f"{stale} older than the stored result, ignored")
        event.outcome = "; ".join(parts) if (applied or stale) else "no insight results in this event"
        event.processed_at = timezone.now()
        event.save(update_fields=["outcome", "processed_at"])
    return event.outcome
