"""`/ai/openai/chat/completions`: one OpenAI-compatible completion (SDK: resources/ai/openai/chat.py)."""

from __future__ import annotations

from ._base import api_path, client


def create(body: dict) -> dict:
    """The completion object (`choices`, `usage`, `model`); OpenAI's shape has no `data` envelope."""
    return client().post(api_path("ai", "openai", "chat", "completions"), json=body).data or {}
