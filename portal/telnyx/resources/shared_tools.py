"""`/ai/tools`: the shared tool library (SDK: resources/ai/tools.py)."""

from __future__ import annotations

from typing import Iterator

from ..client import TelnyxResponse
from ._base import api_path, client, unwrap, unwrapped

BASE = ("ai", "tools")


def list_all() -> Iterator[dict]:
    """Every shared tool, page after page (SDK: SyncDefaultFlatPagination)."""
    return client().paginate(api_path(*BASE), page_size=250)


def create(body: dict, *, idempotency_key: str) -> TelnyxResponse:
    return unwrapped(client().post(api_path(*BASE), json=body, idempotency_key=idempotency_key), {})


def retrieve(tool_id: str) -> dict:
    return unwrap(client().get(api_path(*BASE, tool_id)).data, {})


def update(tool_id: str, body: dict) -> TelnyxResponse:
    """PATCH: the fields sent replace those of the tool."""
    return unwrapped(client().patch(api_path(*BASE, tool_id), json=body), {})


def delete(tool_id: str) -> TelnyxResponse:
    return client().delete(api_path(*BASE, tool_id))
