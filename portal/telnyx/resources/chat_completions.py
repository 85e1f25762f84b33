"""`/ai/openai/chat/completions`: one OpenAI-compatible completion (SDK: resources/ai/openai/chat.py)."""

from __future__ import annotations

import json
from typing import Iterator

from ._base import api_path, client

PATH = ("ai", "openai", "chat", "completions")


def create(body: dict) -> dict:
    """The completion object (`choices`, `usage`, `model`); OpenAI's shape has no `data` envelope."""
    return client().post(api_path(*PATH), json=body).data or {}


def stream(body: dict) -> Iterator[dict]:
    """`stream: true`: each `chat.completion.chunk` as it arrives, until `data: [DONE]`.

    A server that answers a whole completion instead yields that one `chat.completion`
    object; callers tell them apart by `object`.
    """
    for event in client().stream(api_path(*PATH), json={**body, "stream": True}):
        if event.data.strip() == "[DONE]":
            return
        try:
            chunk = json.loads(event.data)
        except ValueError:
            continue
        if isinstance(chunk, dict):
            yield chunk
