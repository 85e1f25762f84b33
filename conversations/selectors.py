"""Conversation reads, from the cache only."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery, Sum

from assistants.models import Assistant, AssistantVersion
from core.changelist import kept

from .models import Conversation, ConversationDay, InsightTemplate
from .rollups import UNDATED

RESOURCE = "conversations"


def conversation_queryset():
    return Conversation.objects.defer("payload")


def cached_conversation(conversation_id: str) -> Conversation | None:
    return Conversation.objects.filter(telnyx_id=conversation_id).first()


def serving_version(assistant_id: str, version_id: str) -> tuple[str, dict | None]:
    """The serving version's name ("" when unnamed or not cached) and where it sent its traces
    (`observability_settings`): the cached version's, else the assistant's as cached, None when
    neither is cached. One query when the version is cached, two when not."""
    row = None
    if version_id:
        row = AssistantVersion.objects.filter(assistant_id=assistant_id, version_id=version_id).values(
            "name", "is_main", "payload").first()
    name = f"{row['name'] or 'unnamed version'}{' (main)' if row['is_main'] else ''}" if row else ""
    payload = row["payload"] if row else None
    if not isinstance(payload, dict) and assistant_id:
        payload = Assistant.objects.filter(telnyx_id=assistant_id).values_list("payload", flat=True).first()
    return name, (payload.get("observability_settings") or {}) if isinstance(payload, dict) else None


def _filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The assistants (named from the assistant cache) and channels the cached conversations have,
    in one query over the per-day rollup (days × versions × channels rows, not the conversations)."""
    name = Assistant.objects.filter(telnyx_id=OuterRef("assistant_id")).values("name")[:1]
    rows = list(ConversationDay.objects.filter(n__gt=0).order_by().values("assistant_id", "channel").distinct()
                .annotate(name=Subquery(name)))
    assistants = {r["assistant_id"]: r["name"] or r["assistant_id"] for r in rows if r["assistant_id"]}
    return {
        "assistants": sorted(assistants.items(), key=lambda pair: pair[1].lower()),
        "channels": [(c, Conversation(channel=c).channel_label) for c in sorted({r["channel"] for r in rows if r["channel"]})],
    }


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The list's assistant and channel choices, kept until the conversation cache changes."""
    return kept(RESOURCE, "filter-choices", _filter_choices, Conversation)


def assistant_names() -> dict[str, str]:
    return dict(Assistant.objects.values_list("telnyx_id", "name"))


def template_names(ids) -> dict[str, str]:
    """{insight template id: name} of the cached templates among `ids`."""
    return dict(InsightTemplate.objects.filter(telnyx_id__in=list(ids)).values_list("telnyx_id", "name"))


#: Filters the per-day rollup can count (`column` only adds a column); the rollup key they read.
ROLLUP_FILTERS = {"assistant": "assistant_id", "channel": "channel", "since": "day__gte", "until": "day__lte",
                  "column": None, "traffic": None}


def rollup_count(active: dict, query: str) -> int | None:
    """The list's total from the per-day rollup when no search or insight filter is on: a sum
    over days × versions rows instead of a COUNT over up to 100,000 conversations (which a sync
    makes every page view do again, as each batch moves the table's generation)."""
    if query or set(active) - set(ROLLUP_FILTERS):
        return None
    traffic = active.get("traffic", "")  # the list shows real traffic unless asked otherwise
    rows = ConversationDay.objects.all() if traffic == "all" else ConversationDay.objects.filter(is_test=traffic == "tests")
    for name, value in active.items():
        if ROLLUP_FILTERS[name]:
            rows = rows.filter(**{ROLLUP_FILTERS[name]: value})
    if "since" in active or "until" in active:
        rows = rows.exclude(day=UNDATED)  # no creation time: no date filter matches it
    return rows.aggregate(n=Sum("n"))["n"] or 0
