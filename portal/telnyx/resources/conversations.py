"""`/ai/conversations`: conversations, their messages and insight results (SDK: resources/ai/conversations)."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from ..client import TelnyxResponse
from ._base import api_path, client, unwrap, unwrapped

BASE = ("ai", "conversations")


def list_page(*, params: Mapping[str, Any] | None = None) -> list[dict]:
    """One PostgREST-style page (`limit`, `order`, filters such as `created_at=lt.<ts>`)."""
    return unwrap(client().get(api_path(*BASE), params=params).data, [])


def create(body: dict, *, idempotency_key: str) -> TelnyxResponse:
    return unwrapped(client().post(api_path(*BASE), json=body, idempotency_key=idempotency_key), {})


def retrieve(conversation_id: str) -> dict:
    return unwrap(client().get(api_path(*BASE, conversation_id)).data, {})


def update(conversation_id: str, body: dict) -> TelnyxResponse:
    return unwrapped(client().put(api_path(*BASE, conversation_id), json=body), {})


def delete(conversation_id: str) -> TelnyxResponse:
    return client().delete(api_path(*BASE, conversation_id))


def messages(conversation_id: str, *, page_size: int = 100, max_pages: int = 10_000) -> Iterator[dict]:
    """Every message of the conversation, oldest page first."""
    return client().paginate(api_path(*BASE, conversation_id, "messages"), page_size=page_size, max_pages=max_pages)


def add_message(conversation_id: str, body: dict, *, idempotency_key: str | None = None) -> TelnyxResponse:
    return unwrapped(client().post(api_path(*BASE, conversation_id, "message"), json=body, idempotency_key=idempotency_key), {})


def insight_results(conversation_id: str) -> list[dict]:
    """The insight results Telnyx computed for this conversation (every page: the answer has `meta`)."""
    return list(client().paginate(api_path(*BASE, conversation_id, "conversations-insights")))
