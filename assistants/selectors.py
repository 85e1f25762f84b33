"""Assistant reads, from the cache only: no HTTP here."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Assistant, AssistantVersion


def assistant_queryset() -> QuerySet[Assistant]:
    return Assistant.objects.defer("payload")


def assistant_model_filter_choices() -> list[tuple[str, str]]:
    models = Assistant.objects.exclude(model="").values_list("model", flat=True).distinct().order_by("model")
    return [(m, m) for m in models]


def assistant_tag_filter_choices() -> list[tuple[str, str]]:
    tags = sorted({tag for tags in Assistant.objects.values_list("tags", flat=True) for tag in (tags or [])})
    return [(t, t) for t in tags]


def versions_of(assistant_id: str) -> list[AssistantVersion]:
    """An assistant's cached versions, newest first."""
    return list(AssistantVersion.objects.filter(assistant_id=assistant_id).defer("payload").order_by("-created_at", "-pk"))


# Telnyx keeps at most this many versions of an assistant, pruning the oldest on save.
MAX_VERSIONS = 10


def version_pruned_by_next_save(assistant_id: str):
    """The cached version Telnyx would delete on the next save, if the assistant is at the limit.

    Telnyx spares the main version and versions a canary rule serves; the caller says so.
    """
    versions = AssistantVersion.objects.filter(assistant_id=assistant_id)
    if versions.count() < MAX_VERSIONS:
        return None
    return versions.filter(is_main=False).order_by("created_at", "pk").first()
