"""Factories for Telnyx test, run and suite-run objects shaped like the SDK's types."""

from __future__ import annotations

import pytest

RUBRIC = [{"name": "greets", "criteria": "Greets the caller by name"}, {"name": "books", "criteria": "Books a table"}]


@pytest.fixture
def test_json():
    """An AssistantTest as Telnyx returns it."""

    def build(n: int = 1, **overrides) -> dict:
        data = {
            "test_id": f"test-{n:04d}",
            "name": f"Booking test {n}",
            "description": "Books a table for two",
            "destination": "assistant-00000001-0000-4000-8000-000000000000",
            "telnyx_conversation_channel": "web_chat",
            "instructions": f"Ask to book a table for {n} people.",
            "test_suite": "booking",
            "max_duration_seconds": 120,
            "rubric": RUBRIC,
            "created_at": f"2026-11-{n % 28 + 1:02d}T10:00:00Z",
        }
        data.update(overrides)
        return data

    return build


@pytest.fixture
def run_json():
    """A TestRunResponse as Telnyx returns it."""

    def build(run: str = "run-1", test: str = "test-0001", status: str = "pending", **overrides) -> dict:
        data = {
            "run_id": run,
            "test_id": test,
            "status": status,
            "triggered_by": "api",
            "created_at": "2026-11-23T10:00:00Z",
            "detail_status": [{"name": "greets", "status": status}, {"name": "books", "status": status}],
        }
        if status in ("passed", "failed", "error"):
            data["completed_at"] = "2026-11-23T10:00:42Z"
            data["logs"] = "user: hello\nassistant: hi"
        if status == "failed":
            data["detail_status"] = [{"name": "greets", "status": "passed"}, {"name": "books", "status": "failed"}]
        data.update(overrides)
        return data

    return build
