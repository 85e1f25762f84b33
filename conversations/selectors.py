"""Conversation reads, from the cache only."""

from __future__ import annotations

from assistants.models import Assistant

from .models import Conversation


def conversation_queryset():
    return Conversation.objects.defer("payload")


def assistant_filter_choices() -> list[tuple[str, str]]:
    """Assistants that have cached conversations, named from the assistant cache."""
    ids = Conversation.objects.exclude(assistant_id="").values_list("assistant_id", flat=True).distinct()
    names = dict(Assistant.objects.filter(telnyx_id__in=list(ids)).values_list("telnyx_id", "name"))
    return sorted(((i, names.get(i, i)) for i in ids), key=lambda pair: pair[1].lower())


def channel_filter_choices() -> list[tuple[str, str]]:
    channels = Conversation.objects.exclude(channel="").values_list("channel", flat=True).distinct().order_by("channel")
    return [(c, c.replace("_", " ")) for c in channels]


def assistant_names() -> dict[str, str]:
    return dict(Assistant.objects.values_list("telnyx_id", "name"))
