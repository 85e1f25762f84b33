"""`/ai/assistants/{id}/canary-deploys`: the assistant's one canary deploy
(SDK: resources/ai/assistants/canary_deploys.py). A 404 on retrieve means there is none."""

from __future__ import annotations

from ..client import TelnyxResponse
from ._base import api_path, client, unwrap, unwrapped


def _path(assistant_id: str) -> str:
    return api_path("ai", "assistants", assistant_id, "canary-deploys")


def retrieve(assistant_id: str) -> dict:
    """The deploy as Telnyx answers it (`rules`, or the older `versions` shape); raises NotFoundError if none."""
    return unwrap(client().get(_path(assistant_id)).data, {})


def create(assistant_id: str, rules: list[dict], *, idempotency_key: str) -> TelnyxResponse:
    return unwrapped(client().post(_path(assistant_id), json={"rules": rules}, idempotency_key=idempotency_key), {})


def update(assistant_id: str, rules: list[dict], *, idempotency_key: str | None = None) -> TelnyxResponse:
    """Replace the rules (PUT: sending the same rules twice leaves the same deploy)."""
    return unwrapped(client().put(_path(assistant_id), json={"rules": rules}, idempotency_key=idempotency_key), {})


def delete(assistant_id: str) -> TelnyxResponse:
    return client().delete(_path(assistant_id))
