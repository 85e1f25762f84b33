"""Shared tools: the library, and how an assistant's `tool_ids` show in its `tools`.

Telnyx merges every attached shared tool into the assistant's `tools` with `shared: true`;
a single-instance type (anything but function, webhook, client_side_tool) may occur once,
inline and shared together, or the attach is a 400 with code 10015.
"""

from __future__ import annotations

from sandbox.api import ApiError, get_or_not_found, iso
from sandbox.behaviour.assistant_config import REPEATABLE_TOOL_TYPES
from sandbox.models import SbTool

# The types `POST /ai/tools` takes a configuration object for (SDK: ToolCreateParams).
SHARED_TOOL_TYPES = ("webhook", "function", "client_side_tool", "handoff", "invite", "pay", "retrieval",
                     "update_dynamic_variables", "vision")


def tool_json(tool: SbTool) -> dict:
    """The SDK's SharedToolResponse."""
    return {"id": tool.id, "type": tool.type, "display_name": tool.display_name,
            "tool_definition": tool.definition, "timeout_ms": tool.timeout_ms, "created_at": iso(tool.created_at)}


def get_tool(tool_id: str) -> SbTool:
    return get_or_not_found(SbTool, tool_id, "Tool")


def as_assistant_tool(tool: SbTool) -> dict:
    """The tool as it appears in an assistant's `tools`."""
    return {"type": tool.type, tool.type: tool.definition, "id": tool.id, "shared": True}


def merged_tools(config: dict) -> list[dict]:
    """Inline tools, then the attached shared tools that still exist."""
    inline = [t for t in config.get("tools") or [] if not t.get("shared")]
    ids = list(config.get("tool_ids") or [])
    found = {t.id: t for t in SbTool.objects.filter(pk__in=ids)}
    return inline + [as_assistant_tool(found[i]) for i in ids if i in found]


def check_single_instance(config: dict, tool: SbTool) -> None:
    if tool.type in REPEATABLE_TOOL_TYPES:
        return
    if any(t.get("type") == tool.type for t in merged_tools(config)):
        raise ApiError(400, f"Only one '{tool.type}' tool is allowed per assistant.", code="10015")


def tags_in_use(configs) -> list[str]:
    return sorted({tag for config in configs for tag in (config.get("tags") or []) if isinstance(tag, str)})
