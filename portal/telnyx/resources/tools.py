"""`/ai/assistants/{id}/tools/{tool_id}`: attach or detach a shared tool, and `.../test`: have
Telnyx call a webhook tool (SDK: resources/ai/assistants/tools.py)."""

from __future__ import annotations

from ..client import TelnyxResponse
from ._base import api_path, client, unwrapped


def test(assistant_id: str, tool_id: str, body: dict) -> TelnyxResponse:
    """`.data` is `{success, status_code, content_type, request, response}`."""
    return unwrapped(client().post(api_path("ai", "assistants", assistant_id, "tools", tool_id, "test"), json=body), {})


def attach(assistant_id: str, tool_id: str) -> TelnyxResponse:
    """PUT: attach a shared tool (the answer is untyped; the sandbox answers the assistant)."""
    return unwrapped(client().put(api_path("ai", "assistants", assistant_id, "tools", tool_id)), {})


def detach(assistant_id: str, tool_id: str) -> TelnyxResponse:
    return unwrapped(client().delete(api_path("ai", "assistants", assistant_id, "tools", tool_id)), {})
