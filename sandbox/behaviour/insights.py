"""Insight templates and groups: lookups and their SDK shapes (``InsightTemplate``,
``InsightTemplateGroup``)."""

from __future__ import annotations

import json

from sandbox.api import ApiError, iso, not_found
from sandbox.models import SbInsightGroup, SbInsightTemplate


def get_template(insight_id: str) -> SbInsightTemplate:
    template = SbInsightTemplate.objects.filter(pk=insight_id).first()
    if template is None:
        raise not_found("Insight", insight_id)
    return template


def get_group(group_id: str) -> SbInsightGroup:
    group = SbInsightGroup.objects.filter(pk=group_id).first()
    if group is None:
        raise not_found("Insight group", group_id)
    return group


def check_json_schema(value) -> None:
    """A schema sent as a string must still be a JSON object."""
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise ApiError(422, "Must be a JSON schema object or a string holding one.", pointer="/json_schema")


def template_json(template: SbInsightTemplate) -> dict:
    return {
        "id": template.id,
        "created_at": iso(template.created_at),
        "name": template.name,
        "instructions": template.instructions,
        "insight_type": template.insight_type,
        "json_schema": template.json_schema,
        "webhook": template.webhook,
    }


def group_json(group: SbInsightGroup) -> dict:
    return {
        "id": group.id,
        "created_at": iso(group.created_at),
        "name": group.name,
        "description": group.description,
        "webhook": group.webhook,
        "insights": [template_json(t) for t in group.insights.order_by("created_at", "id")],
    }
