"""`/ai/assistants/{id}/chat` and `/chat/sms`: talk to an assistant
(SDK: resources/ai/assistants/assistants.py `chat`, `send_sms`)."""

from __future__ import annotations

import json
from typing import Iterator

from ..client import TelnyxResponse
from ..errors import APIStreamError, parse_error_body
from ._base import api_path, client, unwrap, unwrapped


def send(assistant_id: str, *, content: str, conversation_id: str) -> TelnyxResponse:
    """One user turn; `.data["content"]` is the assistant's reply."""
    body = {"content": content, "conversation_id": conversation_id}
    return unwrapped(client().post(api_path("ai", "assistants", assistant_id, "chat"), json=body), {})


def send_sms(assistant_id: str, body: dict, *, idempotency_key: str) -> TelnyxResponse:
    """Start an SMS conversation (`from`, `to`, optional `text`); `.data["conversation_id"]`."""
    return unwrapped(client().post(api_path("ai", "assistants", assistant_id, "chat", "sms"), json=body,
                                   idempotency_key=idempotency_key), {})


def stream(assistant_id: str, *, content: str, conversation_id: str) -> Iterator[tuple[str, str]]:
    """The reply as it is written: ("delta", fragment)… then ("done", whole reply).

    A server that answers with a whole JSON reply instead yields just ("done", reply); a
    failure after streaming started raises the TelnyxError its `error` event describes.
    """
    body = {"content": content, "conversation_id": conversation_id, "stream": True}
    for event in client().stream(api_path("ai", "assistants", assistant_id, "chat"), json=body):
        payload = _json(event.data)
        if event.event == "response":
            yield "done", str(unwrap(payload, {}).get("content") or "")
        elif event.event == "delta":
            yield "delta", str(payload.get("content") or "")
        elif event.event == "done":
            yield "done", str(payload.get("content") or "")
        elif event.event == "error":
            raise APIStreamError(errors=parse_error_body(payload or event.data))


def _json(text: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
