"""Insight templates and groups: lookups and their SDK shapes (``InsightTemplate``,
``InsightTemplateGroup``)."""

from __future__ import annotations

import json

from sandbox.api import ApiError, get_or_not_found, iso
from sandbox.models import SbInsightGroup, SbInsightTemplate


def get_template(insight_id: str) -> SbInsightTemplate:
    return get_or_not_found(SbInsightTemplate, insight_id, "Insight")


def get_group(group_id: str) -> SbInsightGroup:
    return get_or_not_found(SbInsightGroup, group_id, "Insight group")


def check_json_schema(value) -> None:
    """A schema sent as a string must still be a JSON object."""
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise ApiError(422, "Must be a JSON schema object or a string holding one.", pointer="/json_schema")


def _object_json(row, *names: str) -> dict:
    return {"id": row.id, "created_at": iso(row.created_at), **{name: getattr(row, name) for name in names}}


def template_json(template: SbInsightTemplate) -> dict:
    return _object_json(template, "name", "instructions", "insight_type", "json_schema", "webhook")


def group_json(group: SbInsightGroup) -> dict:
    return {**_object_json(group, "name", "description", "webhook"),
            "insights": [template_json(t) for t in group.insights.order_by("created_at", "id")]}
