"""Reading a step's live traffic into the cache: the assistant's conversations since the
step began (conversations cache) and each one's insight results (`ConversationInsight`)."""

from __future__ import annotations

import json
from datetime import datetime

from django.utils import timezone

from conversations.models import Conversation
from conversations.services import conversation_fields
from core.cache import cache_put
from portal.telnyx.resources import conversations as conversations_api
from releases.models import ConversationInsight

BATCH = 1000
MAX_BATCHES = 10
MAX_INSIGHT_READS = 500  # per advance; the rest are read at the next one


def sync_conversations_since(*, assistant_id: str, since: datetime) -> int:
    """Cache the assistant's conversations created since `since` (newest first, in batches)."""
    count, before = 0, ""
    for _ in range(MAX_BATCHES):
        created = [f"gte.{since.isoformat()}"] + ([f"lt.{before}"] if before else [])
        batch = conversations_api.list_page(params={"metadata->assistant_id": f"eq.{assistant_id}",
                                                    "created_at": created, "order": "created_at.desc", "limit": BATCH})
        for item in batch:
            cache_put(Conversation, item, conversation_fields)
        count += len(batch)
        if len(batch) < BATCH or not batch[-1].get("created_at"):
            break
        before = batch[-1]["created_at"]
    return count


def insight_values(records: list[dict]) -> dict[str, float | bool]:
    """The numeric and pass/fail fields of completed structured insight results."""
    values: dict[str, float | bool] = {}
    for record in records:
        if record.get("status") != "completed":
            continue
        for insight in record.get("conversation_insights") or []:
            try:
                result = json.loads(insight.get("result") or "")
            except (TypeError, ValueError):
                continue
            if not isinstance(result, dict):
                continue
            for key, value in result.items():
                if isinstance(value, bool):
                    values[key] = value
                elif isinstance(value, (int, float)):
                    values[key] = float(value)
    return values


def read_insights(*, assistant_id: str, since: datetime) -> int:
    """Fetch insight results for cached conversations of the step not read yet. A conversation
    without completed results yet is left for the next advance."""
    known = ConversationInsight.objects.filter(assistant_id=assistant_id).values("conversation_id")
    todo = (Conversation.objects.filter(assistant_id=assistant_id, created_at__gte=since)
            .exclude(telnyx_id__in=known).values_list("telnyx_id", "assistant_version_id")[:MAX_INSIGHT_READS])
    read = 0
    for conversation_id, version_id in todo:
        values = insight_values(conversations_api.insight_results(conversation_id))
        if values:
            ConversationInsight.objects.update_or_create(conversation_id=conversation_id, defaults={
                "assistant_id": assistant_id, "assistant_version_id": version_id, "values": values,
                "fetched_at": timezone.now()})
            read += 1
    return read
