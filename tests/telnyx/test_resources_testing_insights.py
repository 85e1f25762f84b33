"""The tests, test runs, test suites and insights resources: each id is one quoted path segment."""

from __future__ import annotations

import pytest
import responses

from portal.telnyx.errors import InvalidIdError
from portal.telnyx.resources import insights, test_runs, test_suites, tests

pytestmark = pytest.mark.django_db

HOSTILE = "x?y=1#z/../runs"  # would call another endpoint if sent as is


@responses.activate
def test_a_hostile_test_id_is_sent_as_one_quoted_segment(telnyx_base):
    quoted = "x%3Fy%3D1%23z%2F..%2Fruns"
    responses.get(f"{telnyx_base}/ai/assistants/tests/{quoted}/runs/r%2F1", json={"run_id": "r/1", "status": "passed"})
    responses.post(f"{telnyx_base}/ai/assistants/tests/{quoted}/runs", json={"run_id": "r2"})
    assert test_runs.retrieve(HOSTILE, "r/1")["status"] == "passed"
    test_runs.trigger(HOSTILE, idempotency_key="k")
    urls = [call.request.url for call in responses.calls]
    assert urls == [f"{telnyx_base}/ai/assistants/tests/{quoted}/runs/r%2F1", f"{telnyx_base}/ai/assistants/tests/{quoted}/runs"]


@responses.activate
def test_suite_names_and_insight_ids_are_quoted_too(telnyx_base):
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-suites/billing%2FEU%20flows%3F/runs", json=[{"run_id": "r1"}])
    responses.delete(f"{telnyx_base}/ai/conversations/insight-groups/g%23/insights/t%3Fx/unassign", status=204)
    assert test_suites.trigger("billing/EU flows?", idempotency_key="k").data == [{"run_id": "r1"}]
    insights.unassign("g#", "t?x")
    assert len(responses.calls) == 2


@pytest.mark.parametrize("call", [
    lambda: tests.retrieve(".."), lambda: test_runs.retrieve("t", "."), lambda: insights.group_delete(".."),
    lambda: test_suites.runs(".."),
])
def test_dot_segments_are_refused_before_any_request(call):
    with pytest.raises(InvalidIdError):
        call()
