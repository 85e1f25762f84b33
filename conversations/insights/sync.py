"""The insight sync: fills the store of insight results from Telnyx for the cached conversations
whose results were not read yet, on a worker, in steps (resumable: each step commits its batch
with the cursor, see `core.sync.sync_step`)."""

from __future__ import annotations

from django.utils import timezone

from conversations.insights.store import insight_runs_store
from conversations.models import Conversation, InsightResult
from conversations.services import RESOURCE as CONVERSATIONS
from core import skips
from core.sync import StepOutcome, SyncOutcome, run_stepwise, sync_state, sync_step
from portal.telnyx import APIStatusError
from portal.telnyx.resources import conversations as conversations_api

RESOURCE = "conversation-insights"
#: Conversations read per step (one Telnyx call each).
BATCH_SIZE = 50


def conversation_insights_read(conversation: Conversation, *, source: str = "sync") -> bool:
    """Read one conversation's insight runs from Telnyx into the store. True when a run was
    complete: the conversation is then marked read; otherwise a later sync reads it again."""
    runs = conversations_api.insight_results(conversation.telnyx_id)
    return _store(conversation, runs, source)


def _store(conversation: Conversation, runs: list[dict], source: str) -> bool:
    insight_runs_store(conversation=conversation, runs=runs, source=source)
    complete = any(run.get("status") == "completed" for run in runs)
    if complete:
        Conversation.objects.filter(pk=conversation.pk).update(insights_synced_at=timezone.now())
    return complete


def _fetch_batch(cursor: str) -> tuple[list[dict], str | None]:
    """The next conversations not read yet after primary key `cursor`, each with its runs."""
    after = int(cursor) if cursor.isdigit() else 0
    batch = list(Conversation.objects.filter(pk__gt=after, insights_synced_at=None).order_by("pk")
                 .only("telnyx_id", "assistant_id", "assistant_version_id")[:BATCH_SIZE])
    items = [_read(c) for c in batch]
    if len(batch) < BATCH_SIZE:
        return items, None
    return items, str(batch[-1].pk)


# Answers about one conversation, not about Telnyx: that conversation is skipped (and asked
# again next sweep), the others are read. Anything else (429, 5xx, timeouts) ends the step.
RECORD_STATUSES = frozenset({400, 403, 404, 410, 422})


def _read(conversation: Conversation) -> dict:
    try:
        return {"conversation": conversation, "runs": conversations_api.insight_results(conversation.telnyx_id)}
    except APIStatusError as exc:
        if exc.status not in RECORD_STATUSES:
            raise
        return {"conversation": conversation, "runs": None,
                "problem": f"conversation {skips.shown(conversation.telnyx_id)}: Telnyx answered {exc.status} for its insights"}


def _store_batch(items: list[dict]) -> int:
    stored = 0
    for item in items:
        if item["runs"] is None:
            skips.skip(item["problem"])
            continue
        _store(item["conversation"], item["runs"], "sync")
        stored += 1
    return stored


def insights_sync_step(*, run_id: str = "") -> StepOutcome:
    return sync_step(RESOURCE, run_id=run_id, fetch_batch=_fetch_batch, store_batch=_store_batch,
                     finish=lambda _started: InsightResult.objects.count())


def conversations_settled() -> bool:
    """The conversations cache is complete: synced once and no sync half done or in flight.
    Reading results before that would tie a worker to rows still arriving (and hold back the
    conversations sync queued behind it)."""
    state = sync_state(CONVERSATIONS)
    return state.synced_at is not None and not state.run_id


def insights_sync():
    """The whole insight sync (or the rest of an interrupted one), one batch per step; it waits
    (does nothing, stays stale for the next sweep) while the conversations sync is unsettled."""
    if not conversations_settled():
        return SyncOutcome(ran=False)
    return run_stepwise(RESOURCE, lambda run_id: insights_sync_step(run_id=run_id))
