"""What every resource module shares: building a path from quoted segments, unwrapping `data`.

This is the one place a Telnyx path is assembled. Every id or name that goes into a path is
one segment, percent-encoded with nothing left "safe", so `?`, `#`, `/` and `%` in an id can
never change which endpoint is called; `.` and `..` (which a proxy may collapse) are refused.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..client import TelnyxClient, TelnyxResponse
from ..errors import InvalidIdError


def api_path(*segments: object) -> str:
    """`api_path("ai", "assistants", assistant_id, "versions")` → "ai/assistants/<quoted id>/versions"."""
    parts = []
    for segment in segments:
        text = str(segment)
        if text in ("", ".", "..") or "\x00" in text:
            raise InvalidIdError(f"{text!r} cannot be a Telnyx id")
        parts.append(quote(text, safe=""))
    return "/".join(parts)


def client() -> TelnyxClient:
    # Imported late so tests that swap settings get the client for their own target.
    from .. import get_client

    return get_client()


def unwrap(body: Any, default: Any = None) -> Any:
    """The `data` member of Telnyx's `{"data": ...}` envelope; a bare body is returned as is."""
    if isinstance(body, dict) and "data" in body:
        value = body["data"]
        return default if value is None else value
    if body is None:
        return default
    return body


def unwrapped(response: TelnyxResponse, default: Any = None) -> TelnyxResponse:
    """The same response with its envelope removed, for writes (callers keep status and request id)."""
    response.data = unwrap(response.data, default)
    return response
