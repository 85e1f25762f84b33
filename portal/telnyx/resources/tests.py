"""`/ai/assistants/tests`: assistant tests (SDK: resources/ai/assistants/tests/tests.py)."""

from __future__ import annotations

from typing import Iterator

from ..client import TelnyxResponse
from ._base import api_path, client, unwrap, unwrapped

BASE = ("ai", "assistants", "tests")


def list_all(*, page_size: int = 100) -> Iterator[dict]:
    """Every test, page by page."""
    return client().paginate(api_path(*BASE), page_size=page_size)


def retrieve(test_id: str) -> dict:
    return unwrap(client().get(api_path(*BASE, test_id)).data, {})


def create(body: dict, *, idempotency_key: str) -> TelnyxResponse:
    return unwrapped(client().post(api_path(*BASE), json=body, idempotency_key=idempotency_key), {})


def update(test_id: str, body: dict) -> TelnyxResponse:
    return unwrapped(client().put(api_path(*BASE, test_id), json=body), {})


def delete(test_id: str) -> TelnyxResponse:
    return client().delete(api_path(*BASE, test_id))
