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


def list_page(assistant_id: str, *, page_number: int, page_size: int = 100) -> tuple[list[dict], bool]:
    """One page of the assistant's events and whether a later page exists (from `meta`, as
    the SDK's flat pagination reads it; without `meta`, a full page means maybe more)."""
    body = client().get(_path(assistant_id), params={"page[number]": page_number, "page[size]": page_size}).data or {}
    items, meta = (body.get("data") or [], body.get("meta") or {}) if isinstance(body, dict) else (body, {})
    if not items:
        return [], False
    total = meta.get("total_pages")
    more = int(meta.get("page_number") or page_number) < int(total) if total is not None else len(items) >= page_size
    return items, more


def retrieve(assistant_id: str, event_id: str) -> dict:
    return unwrap(client().get(_path(assistant_id, event_id)).data, {})


def create(assistant_id: str, body: dict, *, idempotency_key: str) -> TelnyxResponse:
    return unwrapped(client().post(_path(assistant_id), json=body, idempotency_key=idempotency_key), {})


def delete(assistant_id: str, event_id: str) -> TelnyxResponse:
    return client().delete(_path(assistant_id, event_id))
