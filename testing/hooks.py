"""Testing's part of the assistant pages, plugged in through `assistants.hooks` (see apps.py)."""

from __future__ import annotations

from portal.telnyx import new_idempotency_key
from testing import selectors


def version_panel(request, assistant_id: str, *, version_id: str, **page) -> dict:
    """The version page's suites: run each on this version (the suite-run API takes
    destination_version_id), and the runs on it so far."""
    return {"suites": selectors.suites_for_assistant(assistant_id),
            "suite_runs": selectors.suite_runs_for_version(version_id),
            "suite_run_key": new_idempotency_key()}
