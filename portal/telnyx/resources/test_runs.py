"""`/ai/assistants/tests/{test_id}/runs`: one test's runs (SDK: resources/ai/assistants/tests/runs.py)."""

from __future__ import annotations

from typing import Iterator

from ..client import TelnyxResponse
from ._base import api_path, client, unwrap, unwrapped
from .tests import BASE as TESTS


def _runs(test_id: str, *rest: str) -> str:
    return api_path(*TESTS, test_id, "runs", *rest)


def list_all(test_id: str, *, max_pages: int = 10_000) -> Iterator[dict]:
    """The test's runs, newest page first, at most `max_pages` pages."""
    return client().paginate(_runs(test_id), max_pages=max_pages)


def retrieve(test_id: str, run_id: str) -> dict:
    return unwrap(client().get(_runs(test_id, run_id)).data, {})


def trigger(test_id: str, *, destination_version_id: str = "", idempotency_key: str) -> TelnyxResponse:
    """Start one run, on `destination_version_id` or (empty) the assistant's main version."""
    body = {"destination_version_id": destination_version_id} if destination_version_id else {}
    return unwrapped(client().post(_runs(test_id), json=body, idempotency_key=idempotency_key), {})
