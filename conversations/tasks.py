"""Conversations' background work: the (up to 100,000-row) conversation sync runs on a
worker in steps, resumable after a crash; insight templates and groups sync there too."""

from celery import shared_task

from conversations import services, transcripts
from conversations.insights import events as insight_events
from conversations.insights import services as insight_services
from conversations.insights import sync as insight_sync
from core.background import register_listing
from core.sync import prefetching, run_stepwise


def conversations_sync():
    """The whole stepwise sync (or the rest of an abandoned one), one batch per step, the next
    batch fetched while the current one is stored."""
    fetch = prefetching(services.fetch_batch)
    try:
        return run_stepwise(services.RESOURCE,
                            lambda run_id: services.conversations_sync_step(run_id=run_id, fetch_batch=fetch))
    finally:
        getattr(fetch, "close", lambda: None)()


register_listing(services.RESOURCE, conversations_sync)
register_listing(insight_services.TEMPLATES, insight_services.templates_sync)
register_listing(insight_services.GROUPS, insight_services.groups_sync)
# Insight results of cached conversations not read yet (webhooks bring the newer ones).
register_listing(insight_sync.RESOURCE, insight_sync.insights_sync, ready=insight_sync.conversations_settled)
# Transcript words of the newest real conversations, for the call log's search.
register_listing(transcripts.RESOURCE, transcripts.transcripts_index, ready=insight_sync.conversations_settled)


@shared_task(label="Apply Telnyx insight event {0}")
def process_insight_event(event_pk: int) -> str:
    """Apply one webhook event (safe to run twice: an applied event is skipped)."""
    return insight_events.insight_event_apply(event_pk)
