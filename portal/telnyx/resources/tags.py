"""`/ai/assistants/tags` and an assistant's tags (SDK: resources/ai/assistants/tags.py)."""

from __future__ import annotations

from ..client import TelnyxResponse
from ._base import api_path, client

BASE = ("ai", "assistants")


def list_all() -> list[str]:
    """Every tag in use on the account's assistants."""
    body = client().get(api_path(*BASE, "tags")).data or {}
    return [t for t in body.get("tags") or [] if isinstance(t, str)]


def add(assistant_id: str, tag: str) -> TelnyxResponse:
    """`.data` is `{tags}`: the assistant's tags now."""
    return client().post(api_path(*BASE, assistant_id, "tags"), json={"tag": tag})


def remove(assistant_id: str, tag: str) -> TelnyxResponse:
    return client().delete(api_path(*BASE, assistant_id, "tags", tag))
