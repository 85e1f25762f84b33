"""The conversations list's CSV export: each conversation with its insight results as columns."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from assistants.models import Assistant
from core.export import Export, ExportColumn

BASE_COLUMNS = [
    ExportColumn("Conversation id", "telnyx_id"), ExportColumn("Name", "name"),
    ExportColumn("Assistant id", "assistant_id"), ExportColumn("Assistant", "assistant_name"),
    ExportColumn("Version id", "assistant_version_id"), ExportColumn("Channel", "channel"),
    ExportColumn("AI off", "ai_disabled"), ExportColumn("Created", "created_at"),
    ExportColumn("Last message", "last_message_at"),
]


def _with_names(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        assistant_name=Subquery(Assistant.objects.filter(telnyx_id=OuterRef("assistant_id")).values("name")[:1]))


CONVERSATIONS_EXPORT = Export(name="conversations", columns=lambda: BASE_COLUMNS, prepare=_with_names)
