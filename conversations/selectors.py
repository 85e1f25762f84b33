"""Conversation reads, from the cache only."""

from __future__ import annotations

from assistants.models import Assistant, AssistantVersion
from core.changelist import kept

from .models import Conversation

RESOURCE = "conversations"


def conversation_queryset():
    return Conversation.objects.defer("payload")


def cached_conversation(conversation_id: str) -> Conversation | None:
    return Conversation.objects.filter(telnyx_id=conversation_id).first()


def cached_version(assistant_id: str, version_id: str) -> AssistantVersion | None:
    """The serving version's cached row (its name and whether it is main), if loaded."""
    return AssistantVersion.objects.filter(assistant_id=assistant_id, version_id=version_id).only("name", "is_main").first()


def _assistant_filter_choices() -> list[tuple[str, str]]:
    # order_by() first: Meta.ordering would otherwise join SELECT DISTINCT and list every row.
    ids = list(Conversation.objects.exclude(assistant_id="").order_by().values_list("assistant_id", flat=True).distinct())
    names = dict(Assistant.objects.filter(telnyx_id__in=ids).values_list("telnyx_id", "name"))
    return sorted(((i, names.get(i, i)) for i in ids), key=lambda pair: pair[1].lower())


def assistant_filter_choices() -> list[tuple[str, str]]:
    """Assistants that have cached conversations, named from the assistant cache (kept per sync)."""
    return kept(RESOURCE, "assistant-choices", _assistant_filter_choices, Conversation)


def _channel_filter_choices() -> list[tuple[str, str]]:
    channels = Conversation.objects.exclude(channel="").order_by("channel").values_list("channel", flat=True).distinct()
    return [(c, c.replace("_", " ")) for c in channels]


def channel_filter_choices() -> list[tuple[str, str]]:
    return kept(RESOURCE, "channel-choices", _channel_filter_choices, Conversation)


def assistant_names() -> dict[str, str]:
    return dict(Assistant.objects.values_list("telnyx_id", "name"))
