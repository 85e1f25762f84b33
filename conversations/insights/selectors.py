"""Insight template and group reads, from the cache only: no HTTP here."""

from __future__ import annotations

from django.db.models import QuerySet

from conversations.models import InsightEvent, InsightGroup, InsightTemplate

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
