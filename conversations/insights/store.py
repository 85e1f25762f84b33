"""The one store of insight results (`InsightResult`): webhooks, the insight sync and the release
gate all write through `insight_result_store`, newest event wins."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from conversations.models import Conversation, InsightResult
from conversations.rollups import insight_move
from core.cache import bump
from portal.telnyx.dates import parse_date


def structured_values(result: Any) -> dict[str, Any]:
    """The scalar fields of a structured result (a JSON object, or its text): numbers as floats,
    flags as booleans, short text as text. A plain-text result has none."""
    value = result
    if isinstance(result, str):
        try:
            value = json.loads(result)
        except ValueError:
            return {}
    if not isinstance(value, dict):
        return {}
    values: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, bool):
            values[str(key)] = item
        elif isinstance(item, (int, float)):
            values[str(key)] = float(item)
        elif isinstance(item, str) and len(item) <= 200:
            values[str(key)] = item
    return values


def numeric_values(values: dict[str, Any]) -> dict[str, float | bool]:
    """What a statistical gate can compare: the numbers and the pass/fail flags."""
    return {k: v for k, v in values.items() if isinstance(v, (bool, int, float))}


def insight_result_store(*, conversation_id: str, template_id: str, result: Any, status: str, occurred_at: datetime,
                         event_id: str = "", source: str = "", conversation: Conversation | None = None) -> bool:
    """Keep this result unless a newer one (by `occurred_at`) is stored; True if it was kept.

    Run inside the caller's transaction when it has one; the row is locked so two deliveries of
    one result cannot both win."""
    text = result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)
    if conversation is None:
        conversation = Conversation.objects.filter(telnyx_id=conversation_id).only(
            "assistant_id", "assistant_version_id").first()
    with transaction.atomic():
        current = (InsightResult.objects.select_for_update()
                   .filter(conversation_id=conversation_id, template_id=template_id).first())
        if current and current.occurred_at >= occurred_at:
            return False
        stored, _ = InsightResult.objects.update_or_create(conversation_id=conversation_id, template_id=template_id, defaults={
            "result": text, "values": structured_values(result), "status": status, "occurred_at": occurred_at,
            "event_id": event_id, "source": source,
            "assistant_id": getattr(conversation, "assistant_id", "") or "",
            "assistant_version_id": getattr(conversation, "assistant_version_id", "") or ""})
        # The day rollups analytics read: the replaced result counted out, the new one in.
        for row, sign in ((current, -1), (stored, 1)):
            if row is not None:
                insight_move(template_id=row.template_id, assistant_id=row.assistant_id,
                             version_id=row.assistant_version_id, occurred_at=row.occurred_at, values=row.values,
                             sign=sign)
        bump(InsightResult)
    return True


def insight_runs_store(*, conversation: Conversation, runs: list[dict], source: str) -> int:
    """Store every result of a conversation's insight runs (`GET .../conversations-insights`);
    returns how many were newer than what was stored. A run's time is its `created_at`."""
    kept = 0
    for run in runs:
        status = str(run.get("status") or "")
        occurred_at = parse_date(run.get("created_at")) or timezone.now()
        for item in run.get("conversation_insights") or []:
            if isinstance(item, dict) and item.get("insight_id"):
                kept += insight_result_store(
                    conversation_id=conversation.telnyx_id, template_id=str(item["insight_id"]),
                    result=item.get("result") or "", status=status, occurred_at=occurred_at,
                    source=source, conversation=conversation)
    return kept


def stored_runs(conversation_id: str) -> list[dict]:
    """The stored results of a conversation shaped as Telnyx's insight runs (one run per result),
    for the detail page when Telnyx cannot be reached."""
    return [
        {"status": r.status, "created_at": r.occurred_at.isoformat(),
         "conversation_insights": [{"insight_id": r.template_id, "result": r.result}]}
        for r in InsightResult.objects.filter(conversation_id=conversation_id).exclude(template_id="").order_by("-occurred_at")
    ]
