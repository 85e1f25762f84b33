"""The conversations list's CSV export: each conversation with its insight results as columns
(each template's result, and each structured field), read with subqueries in the one streamed query."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from assistants.models import Assistant
from conversations.insights import fields as insight_fields
from conversations.models import InsightResult
from core.export import Export, ExportColumn

BASE_COLUMNS = [
    ExportColumn("Conversation id", "telnyx_id"), ExportColumn("Name", "name"),
    ExportColumn("Assistant id", "assistant_id"), ExportColumn("Assistant", "assistant_name"),
    ExportColumn("Version id", "assistant_version_id"), ExportColumn("Channel", "channel"),
    ExportColumn("AI off", "ai_disabled"), ExportColumn("Created", "created_at"),
    ExportColumn("Last message", "last_message_at"),
]


def _templates() -> list[tuple[str, str]]:
    return insight_fields.template_choices()


def _columns() -> list[ExportColumn]:
    columns = list(BASE_COLUMNS)
    keys_by_template: dict[str, list[tuple[str, str]]] = {}
    for choice, label, _kind in insight_fields.insight_fields():
        template_id, key = insight_fields.split(choice)
        keys_by_template.setdefault(template_id, []).append((key, label))
    for i, (template_id, name) in enumerate(_templates()):
        columns.append(ExportColumn(name, f"insight_result_{i}"))
        for key, label in keys_by_template.get(template_id, []):
            columns.append(ExportColumn(label, f"insight_values_{i}",
                                        lambda values, key=key: (values or {}).get(key)))
    return columns


def _prepare(queryset: QuerySet) -> QuerySet:
    queryset = queryset.annotate(
        assistant_name=Subquery(Assistant.objects.filter(telnyx_id=OuterRef("assistant_id")).values("name")[:1]))
    for i, (template_id, _name) in enumerate(_templates()):
        results = InsightResult.objects.filter(conversation_id=OuterRef("telnyx_id"), template_id=template_id)
        queryset = insight_fields.with_values(queryset, template_id, f"insight_values_{i}").annotate(
            **{f"insight_result_{i}": Subquery(results.values("result")[:1])})
    return queryset


CONVERSATIONS_EXPORT = Export(name="conversations", columns=_columns, prepare=_prepare)
