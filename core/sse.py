"""Server-sent events the portal sends to its own pages (the playgrounds' streamed replies)."""

from __future__ import annotations

import json


def sse_event(name: str, data: dict) -> bytes:
    """One event; JSON data on a single line, so no payload can end the event early."""
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
