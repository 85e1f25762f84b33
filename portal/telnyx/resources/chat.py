"""`/ai/assistants/{id}/chat` and `/chat/sms`: talk to an assistant
(SDK: resources/ai/assistants/assistants.py `chat`, `send_sms`)."""

from __future__ import annotations

from ..client import TelnyxResponse
from ._base import api_path, client, unwrapped


def send(assistant_id: str, *, content: str, conversation_id: str) -> TelnyxResponse:
    """One user turn; `.data["content"]` is the assistant's reply."""
    body = {"content": content, "conversation_id": conversation_id}
    return unwrapped(client().post(api_path("ai", "assistants", assistant_id, "chat"), json=body), {})


def send_sms(assistant_id: str, body: dict, *, idempotency_key: str) -> TelnyxResponse:
    """Start an SMS conversation (`from`, `to`, optional `text`); `.data["conversation_id"]`."""
    return unwrapped(client().post(api_path("ai", "assistants", assistant_id, "chat", "sms"), json=body,
                                   idempotency_key=idempotency_key), {})
