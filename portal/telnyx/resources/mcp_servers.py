"""`/ai/mcp_servers`: MCP servers an assistant's tools can call (SDK: resources/ai/mcp_servers)."""

from __future__ import annotations

from typing import Iterator

from ..client import TelnyxResponse
from ._base import api_path, client, unwrapped

BASE = ("ai", "mcp_servers")


def list_all(*, page_size: int = 100) -> Iterator[dict]:
    """Every MCP server (a bare JSON array, paged until an empty page)."""
    return client().paginate(api_path(*BASE), page_size=page_size)


def retrieve(server_id: str) -> dict:
    return client().get(api_path(*BASE, server_id)).data or {}


def create(body: dict, *, idempotency_key: str) -> TelnyxResponse:
    return unwrapped(client().post(api_path(*BASE), json=body, idempotency_key=idempotency_key), {})


def update(server_id: str, body: dict, *, idempotency_key: str | None = None) -> TelnyxResponse:
    return unwrapped(client().put(api_path(*BASE, server_id), json=body, idempotency_key=idempotency_key), {})


def delete(server_id: str) -> TelnyxResponse:
    return client().delete(api_path(*BASE, server_id))
