"""Assistant reads, from the cache only: no HTTP here."""

from __future__ import annotations

from django.db.models import QuerySet

from core.changelist import kept

from .models import Assistant, AssistantVersion

RESOURCE = "assistants"


def assistant_queryset() -> QuerySet[Assistant]:
    return Assistant.objects.defer("payload")


def _model_filter_choices() -> list[tuple[str, str]]:
    models = Assistant.objects.exclude(model="").values_list("model", flat=True).distinct().order_by("model")
    return [(m, m) for m in models]


def assistant_model_filter_choices() -> list[tuple[str, str]]:
    return kept(RESOURCE, "model-choices", _model_filter_choices, Assistant)


def _tag_filter_choices() -> list[tuple[str, str]]:
    # The database reduces the rows to their few distinct tag sets (`|a|b|`): decoding every
    # row's JSON tags in Python was 10x slower at 100,000 assistants.
    indexes = Assistant.objects.exclude(tags_index="").order_by().values_list("tags_index", flat=True).distinct()
    # An index cut at its column's length loses its last, partial tag.
    tags = sorted({tag for index in indexes for tag in index.rstrip("|").split("|")[1:None if index.endswith("|") else -1]})
    return [(t, t) for t in tags]


def assistant_tag_filter_choices() -> list[tuple[str, str]]:
    """Every tag on a cached assistant, kept until the assistant cache changes."""
    return kept(RESOURCE, "tag-choices", _tag_filter_choices, Assistant)


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
