"""`/ai/assistants/{id}/scheduled_events`: calls and SMS chats an assistant will make
(SDK: resources/ai/assistants/scheduled_events.py)."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from ..client import TelnyxResponse
from ._base import api_path, client, unwrap, unwrapped


def _path(assistant_id: str, *rest: str) -> str:
    return api_path("ai", "assistants", assistant_id, "scheduled_events", *rest)


def list_all(assistant_id: str, *, params: Mapping[str, Any] | None = None, page_size: int = 100,
             max_pages: int = 50) -> Iterator[dict]:
    return client().paginate(_path(assistant_id), params=params, page_size=page_size, max_pages=max_pages)


def retrieve(assistant_id: str, event_id: str) -> dict:
    return unwrap(client().get(_path(assistant_id, event_id)).data, {})


def create(assistant_id: str, body: dict, *, idempotency_key: str) -> TelnyxResponse:
    return unwrapped(client().post(_path(assistant_id), json=body, idempotency_key=idempotency_key), {})


def delete(assistant_id: str, event_id: str) -> TelnyxResponse:
    return client().delete(_path(assistant_id, event_id))
