"""Insight template and group reads, from the cache only: no HTTP here."""

from __future__ import annotations

from django.db.models import QuerySet

from conversations.insights.store import numeric_values
from conversations.models import Conversation, InsightEvent, InsightGroup, InsightResult, InsightTemplate

MODELS = {"templates": InsightTemplate, "groups": InsightGroup}


def queryset(kind: str) -> QuerySet:
    """Every cached template or group (`kind` is "templates" or "groups")."""
    return MODELS[kind].objects.all()


def cached(kind: str, object_id: str) -> InsightTemplate | InsightGroup | None:
    return MODELS[kind].objects.filter(telnyx_id=object_id).first() if object_id else None


def templates_outside(template_ids) -> QuerySet[InsightTemplate]:
    """The templates a group could take: the cached ones not among `template_ids`."""
    return InsightTemplate.objects.exclude(telnyx_id__in=template_ids)


def recent_insight_events(limit: int = 10) -> list[InsightEvent]:
    """The latest verified Telnyx webhook events, newest first."""
    return list(InsightEvent.objects.all()[:limit])


def completed_values_per_conversation(*, assistant_id: str, since, version_ids: list[str],
                                      conversation_ids=None) -> list[dict]:
    """Per conversation of the assistant created since `since` on one of `version_ids` (and
    among `conversation_ids` when given): its completed results' numeric and pass/fail fields
    merged, the newest result's value winning ({"conversation_id", "assistant_version_id",
    "values"}, the version its first result's), as the release gate compares them."""
    order = ("conversation_id", "occurred_at", "pk")  # pk breaks ties: the same results always merge alike
    if conversation_ids is None:
        rows = (InsightResult.objects.filter(
            assistant_id=assistant_id, assistant_version_id__in=version_ids, status="completed",
            conversation_id__in=Conversation.objects.filter(assistant_id=assistant_id, created_at__gte=since).values("telnyx_id"))
            .order_by(*order).values_list("conversation_id", "assistant_version_id", "values"))
    else:
        # A few conversations: read by their unique keys alone and filter here. With the other
        # conditions in SQL, SQLite's planner walks the assistant's whole index instead.
        members = {telnyx_id for telnyx_id, assistant, created_at in Conversation.objects.filter(
            telnyx_id__in=conversation_ids).values_list("telnyx_id", "assistant_id", "created_at")
            if assistant == assistant_id and created_at is not None and created_at >= since}
        rows = [(conversation_id, version_id, values) for conversation_id, assistant, version_id, status, values in
                InsightResult.objects.filter(conversation_id__in=conversation_ids).order_by(*order).values_list(
                    "conversation_id", "assistant_id", "assistant_version_id", "status", "values")
                if conversation_id in members and assistant == assistant_id and version_id in version_ids
                and status == "completed"]
    merged: dict[str, dict] = {}
    for conversation_id, version_id, values in rows:
        entry = merged.setdefault(conversation_id, {"conversation_id": conversation_id,
                                                    "assistant_version_id": version_id, "values": {}})
        entry["values"].update(numeric_values(values or {}))
    return [entry for entry in merged.values() if entry["values"]]


def insight_group_choices() -> list[tuple[str, str]]:
    """The cached insight groups as (id, name), for the assistant change form's picker."""
    return [(gid, name or gid) for gid, name in InsightGroup.objects.order_by("name").values_list("telnyx_id", "name")]
