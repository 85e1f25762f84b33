"""Which conversations are test traffic: those a test run started (their metadata names the
test). They are left out of call logs by default and out of observed traffic splits, so a
suite run never looks like callers. Kept in core: assistants (observed splits) and
conversations (the call log) both decide it, and neither may import the other."""

from __future__ import annotations

#: Metadata keys a test run's conversation carries (the sandbox sets `test_id`, as Telnyx's
#: test runs name their test); any one marks the conversation as test traffic.
TEST_MARKERS = ("test_id", "test_run_id", "telnyx_test_id")


def is_test_traffic(metadata: dict | None) -> bool:
    return any((metadata or {}).get(key) for key in TEST_MARKERS)
