"""Reading a step's live traffic into the cache: the assistant's conversations since the
step began (conversations cache) and each one's insight results (the conversations app's one
store of insight results, `InsightResult`)."""

from __future__ import annotations

from datetime import datetime

from conversations.insights.sync import conversation_insights_read
from conversations.models import Conversation
from conversations.services import conversation_fields
from core.cache import cache_put
from portal.telnyx.resources import conversations as conversations_api

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


def read_insights(*, assistant_id: str, since: datetime) -> int:
    """Fetch insight results for cached conversations of the step not read yet. A conversation
    without completed results yet is left for the next advance."""
    todo = (Conversation.objects.filter(assistant_id=assistant_id, created_at__gte=since, insights_synced_at=None)
            .only("telnyx_id", "assistant_id", "assistant_version_id")[:MAX_INSIGHT_READS])
    return sum(1 for conversation in todo if conversation_insights_read(conversation, source="gate"))
