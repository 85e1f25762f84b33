"""Testing an assistant's webhook tool: Telnyx calls the webhook with sample arguments."""

from __future__ import annotations

from assistants.services.assistants import RESOURCE_TYPE
from core.types import PortalUser
from core.writes import telnyx_write
from portal.converters import is_telnyx_id
from portal.roles import OPERATE, require_perm
from portal.telnyx.resources import tools as tools_api


def tool_identifier(tool: dict) -> str:
    """The id the test endpoint takes: a shared tool's id, else the webhook's name."""
    inner = tool.get(tool.get("type")) if isinstance(tool.get(tool.get("type")), dict) else {}
    return str(tool.get("id") or tool.get("tool_id") or inner.get("id") or inner.get("name") or "")


def webhook_tools(assistant: dict) -> list[dict]:
    """The assistant's webhook tools, each with the id to test it by (only ids that can be a URL
    segment: a name from Telnyx such as "look up" cannot be linked, so it is not offered)."""
    tools = []
    for tool in assistant.get("tools") or []:
        if tool.get("type") == "webhook" and is_telnyx_id(tool_identifier(tool)):
            inner = tool.get("webhook") or {}
            tools.append({"id": tool_identifier(tool), "name": inner.get("name", ""), "url": inner.get("url", ""),
                          "method": inner.get("method", "POST"), "description": inner.get("description", ""),
                          "parameters": inner.get("body_parameters") or inner.get("parameters") or {}})
    return tools


def tool_test(*, user: PortalUser, assistant_id: str, tool_id: str, arguments: dict, dynamic_variables: dict) -> dict:
    """Have Telnyx call the webhook; returns {success, status_code, content_type, request, response}.

    Audited, since the webhook is really called and may act on what it receives.
    """
    require_perm(user, OPERATE)
    body = {"arguments": arguments, "dynamic_variables": dynamic_variables}
    summary = f"Tested webhook tool “{tool_id}”"
    response = telnyx_write(
        lambda: tools_api.test(assistant_id, tool_id, body),
        user=user, action="test_tool", resource_type=RESOURCE_TYPE, resource_id=assistant_id,
        summary=lambda r: f"{summary}: the webhook answered {r.data.get('status_code', '?')}",
        failure_summary=f"Tried: {summary}", changes=body,
    )
    return response.data


def shared_tool_links(assistant: dict) -> list[dict]:
    """The assistant's attached shared tools (`shared: true`) whose ids can be linked."""
    return [{"id": t["id"], "type": t.get("type", ""), "name": (t.get(t.get("type")) or {}).get("name", "")
             if isinstance(t.get(t.get("type")), dict) else ""}
            for t in assistant.get("tools") or [] if isinstance(t, dict) and t.get("shared") and is_telnyx_id(t.get("id"))]


def has_movable_inline_tools(assistant: dict) -> bool:
    """Inline tools of a type the shared library holds (a `POST /ai/tools` type with its object)."""
    return any(not t.get("shared") and t.get("type") in LIBRARY_TYPES and isinstance(t.get(t["type"]), dict)
               for t in assistant.get("tools") or [] if isinstance(t, dict))


# The types `POST /ai/tools` takes (SDK: ToolCreateParams); shared_tools builds on this list.
LIBRARY_TYPES = ("webhook", "function", "client_side_tool", "handoff", "invite", "pay", "retrieval",
                 "update_dynamic_variables", "vision")
