"""`/ai/assistants/{id}/versions`: an assistant's versions (SDK: resources/ai/assistants/versions.py)."""

from __future__ import annotations

from ..client import TelnyxResponse
from ._base import api_path, client, unwrap, unwrapped


def _path(assistant_id: str, *rest: str) -> str:
    return api_path("ai", "assistants", assistant_id, "versions", *rest)


def list_all(assistant_id: str) -> list[dict]:
    """Every version Telnyx keeps for the assistant, main included."""
    return unwrap(client().get(_path(assistant_id)).data, [])


def retrieve(assistant_id: str, version_id: str) -> dict:
    return unwrap(client().get(_path(assistant_id, version_id)).data, {})


def update(assistant_id: str, version_id: str, body: dict, *, idempotency_key: str | None = None) -> TelnyxResponse:
    """Edit a non-main version in place (Telnyx refuses the main one)."""
    return unwrapped(client().post(_path(assistant_id, version_id), json=body, idempotency_key=idempotency_key), {})


def delete(assistant_id: str, version_id: str) -> TelnyxResponse:
    return client().delete(_path(assistant_id, version_id))


def promote(assistant_id: str, version_id: str, *, idempotency_key: str | None = None) -> TelnyxResponse:
    """Make the version main; `.data` is the assistant as it now is."""
    return unwrapped(client().post(_path(assistant_id, version_id, "promote"), idempotency_key=idempotency_key), {})
