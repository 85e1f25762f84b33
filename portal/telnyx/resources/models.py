"""`/ai/openai/models`: the model catalogue (SDK: resources/ai/openai/openai.py `list_models`).

The seeds' older `/ai/models` serves the same list; the current path is used.
"""

from __future__ import annotations

from ._base import api_path, client, unwrap


def list_all() -> list[dict]:
    return unwrap(client().get(api_path("ai", "openai", "models")).data, [])
