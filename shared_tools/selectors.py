"""Shared tool reads, from the cache only (no HTTP)."""

from __future__ import annotations

from django.db.models import QuerySet

from assistants.models import Assistant
from knowledge.selectors import bucket_names as cached_bucket_names

from .models import SharedTool


def shared_tools() -> QuerySet[SharedTool]:
    """The changelist's rows, without the payload it does not show."""
    return SharedTool.objects.defer("payload")


def shared_tool_types() -> list[str]:
    return list(SharedTool.objects.exclude(type="").values_list("type", flat=True).distinct().order_by("type"))


def shared_tool_name(tool_id: str) -> str:
    """The cached name, or the id when the tool is not cached."""
    return SharedTool.objects.filter(telnyx_id=tool_id).values_list("display_name", flat=True).first() or tool_id


def assistants_using(tool_id: str) -> list[Assistant]:
    """The cached assistants with this tool in their `tool_ids` (an account has hundreds of
    assistants at most: read in one query, filtered here, the same on SQLite and PostgreSQL)."""
    return [a for a in Assistant.objects.only("telnyx_id", "name", "payload").order_by("name")
            if tool_id in ((a.payload or {}).get("tool_ids") or [])]


def assistant_choices() -> list[tuple[str, str]]:
    return list(Assistant.objects.order_by("name").values_list("telnyx_id", "name"))


def inline_tools(assistant_id: str) -> tuple[str, list[dict]]:
    """The cached assistant's name and its inline tools (not the shared ones merged in)."""
    row = Assistant.objects.filter(telnyx_id=assistant_id).only("name", "payload").first()
    if row is None:
        return assistant_id, []
    return row.name, [t for t in (row.payload or {}).get("tools") or [] if isinstance(t, dict) and not t.get("shared")]


def assistant_tool_ids(assistant_id: str) -> list[str]:
    row = Assistant.objects.filter(telnyx_id=assistant_id).only("payload").first()
    return list(((row.payload or {}) if row else {}).get("tool_ids") or [])


def bucket_names() -> list[str]:
    """The cached knowledge buckets' names, for a retrieval tool's picker."""
    return sorted(cached_bucket_names())
