"""Assistant reads, from the cache only: no HTTP here."""

from __future__ import annotations

from django.db.models import QuerySet

from core.changelist import kept

from .models import Assistant, AssistantVersion, CanaryConfig, KnownTag, ScheduledEvent

RESOURCE = "assistants"


def assistant_queryset() -> QuerySet[Assistant]:
    return Assistant.objects.defer("payload")


def _model_filter_choices() -> list[tuple[str, str]]:
    return [(m, m) for m in Assistant.values_in_use("model")]


def assistant_model_filter_choices() -> list[tuple[str, str]]:
    return kept(RESOURCE, "model-choices", _model_filter_choices, Assistant)


def _tag_filter_choices() -> list[tuple[str, str]]:
    # The database reduces the rows to their few distinct tag sets (`|a|b|`): decoding every
    # row's JSON tags in Python was 10x slower at 100,000 assistants.
    indexes = Assistant.objects.exclude(tags_index="").order_by().values_list("tags_index", flat=True).distinct()
    # An index cut at its column's length loses its last, partial tag.
    tags = {tag for index in indexes for tag in index.rstrip("|").split("|")[1:None if index.endswith("|") else -1]}
    return [(t, t) for t in sorted(tags | set(known_tags()))]


def known_tags() -> list[str]:
    """The tags Telnyx's tag endpoint listed at the last assistants sync."""
    return list(KnownTag.objects.values_list("name", flat=True))


def assistant_tag_filter_choices() -> list[tuple[str, str]]:
    """Every tag on a cached assistant or listed by Telnyx, kept until the assistant cache changes
    (the sync that replaces the known tags rewrites the assistants in the same transaction)."""
    return kept(RESOURCE, "tag-choices", _tag_filter_choices, Assistant)


def cached_assistant(assistant_id: str) -> Assistant | None:
    return Assistant.objects.filter(telnyx_id=assistant_id).first()


def assistant_or_placeholder(assistant_id: str) -> Assistant:
    """The cached assistant, or an unsaved stand-in named by its id (one the cache has not seen)."""
    return cached_assistant(assistant_id) or Assistant(telnyx_id=assistant_id, name=assistant_id)


def assistant_name(assistant_id: str) -> str:
    """The cached name, else the id itself."""
    return Assistant.objects.filter(telnyx_id=assistant_id).values_list("name", flat=True).first() or assistant_id


def main_version_id(assistant_id: str) -> str | None:
    """The cached main version's id (None for an assistant the cache has not seen)."""
    return Assistant.objects.filter(telnyx_id=assistant_id).values_list("version_id", flat=True).first()


def assistants_by_ids(ids) -> list[Assistant]:
    return list(Assistant.objects.filter(telnyx_id__in=ids).order_by("name"))


def canary_history(assistant_id: str, limit: int) -> list[CanaryConfig]:
    """The assistant's saved canary rules, newest first."""
    return list(CanaryConfig.objects.filter(assistant_id=assistant_id)[:limit])


def versions_of(assistant_id: str) -> list[AssistantVersion]:
    """An assistant's cached versions, newest first."""
    return list(AssistantVersion.objects.filter(assistant_id=assistant_id).defer("payload").order_by("-created_at", "-pk"))


def versions_queryset(assistant_id: str) -> QuerySet[AssistantVersion]:
    """An assistant's cached versions, for the Versions tab's changelist."""
    return AssistantVersion.objects.filter(assistant_id=assistant_id).defer("payload")


def main_version(assistant_id: str) -> AssistantVersion | None:
    return versions_queryset(assistant_id).filter(is_main=True).first()


def version_names_of(assistant_id: str, version_ids, *, known=()) -> dict[str, str]:
    """{version id: name} for `known` versions and for `version_ids` (one query)."""
    names = {v.version_id: v.name for v in known if v.name}
    missing = [vid for vid in version_ids if vid and vid not in names]
    if missing:
        names.update(versions_queryset(assistant_id).filter(version_id__in=missing).exclude(name="")
                     .values_list("version_id", "name"))
    return names


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


def scheduled_queryset(assistant_id: str) -> QuerySet[ScheduledEvent]:
    """One assistant's cached scheduled events (the Scheduled tab's changelist)."""
    return ScheduledEvent.objects.filter(assistant_id=assistant_id).defer("payload")
