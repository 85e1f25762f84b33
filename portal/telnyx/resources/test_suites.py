"""`/ai/assistants/tests/test-suites`: suite names and suite runs
(SDK: resources/ai/assistants/tests/test_suites/{test_suites,runs}.py)."""

from __future__ import annotations

from typing import Iterator

from ..client import TelnyxResponse
from ._base import api_path, client, unwrap, unwrapped
from .tests import BASE as TESTS

BASE = (*TESTS, "test-suites")


def list_names() -> list[str]:
    """Every suite name (suites have no other fields)."""
    return [str(name) for name in unwrap(client().get(api_path(*BASE)).data, [])]


def runs(suite_name: str, *, test_suite_run_id: str = "", max_pages: int = 10_000) -> Iterator[dict]:
    """The suite's test runs, newest first; only one batch's with `test_suite_run_id`."""
    params = {"test_suite_run_id": test_suite_run_id} if test_suite_run_id else None
    return client().paginate(api_path(*BASE, suite_name, "runs"), params=params, max_pages=max_pages)


def trigger(suite_name: str, *, destination_version_id: str = "", idempotency_key: str) -> TelnyxResponse:
    """Run every test of the suite; `.data` is the list of test runs started."""
    body = {"destination_version_id": destination_version_id} if destination_version_id else {}
    return unwrapped(client().post(api_path(*BASE, suite_name, "runs"), json=body, idempotency_key=idempotency_key), [])
