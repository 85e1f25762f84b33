"""Testing services: Telnyx mocked with `responses`, the database real."""

from __future__ import annotations

import json

import pytest
import responses
from django.core.exceptions import PermissionDenied
from requests.exceptions import ConnectionError as RequestsConnectionError

from portal.models import AuditEvent, SyncState
from portal.telnyx import APIConnectionError, InternalServerError, UnprocessableEntityError
from testing.models import AssistantTest, SuiteRun, TestRun, TestSuite
from testing.services import assistant_tests as test_services
from testing.services import runs as run_services
from testing.services import suites as suite_services

pytestmark = pytest.mark.django_db


@responses.activate
def test_sync_pages_through_every_test_and_drops_deleted_ones(telnyx_base, test_json):
    AssistantTest.objects.create(telnyx_id="gone", name="Deleted upstream", synced_at="2026-01-01T00:00:00Z")
    responses.get(f"{telnyx_base}/ai/assistants/tests", match=[responses.matchers.query_param_matcher({"page[number]": "1", "page[size]": "100"})],
                  json={"data": [test_json(1), test_json(2)], "meta": {"page_number": 1, "total_pages": 2}})
    responses.get(f"{telnyx_base}/ai/assistants/tests", match=[responses.matchers.query_param_matcher({"page[number]": "2", "page[size]": "100"})],
                  json={"data": [test_json(3, test_suite="", telnyx_conversation_channel="sms_chat")], "meta": {"page_number": 2, "total_pages": 2}})

    outcome = test_services.tests_sync()

    assert outcome.ok and outcome.count == 3
    assert sorted(AssistantTest.objects.values_list("name", flat=True)) == ["Booking test 1", "Booking test 2", "Booking test 3"]
    third = AssistantTest.objects.get(telnyx_id="test-0003")
    assert (third.channel, third.test_suite, third.max_duration_seconds) == ("sms_chat", "", 120)
    assert SyncState.objects.get(resource="assistant-tests").item_count == 3


@responses.activate
def test_failed_sync_keeps_the_cache(telnyx_base, test_json):
    test_services.test_cache_put(test_json(1))
    responses.get(f"{telnyx_base}/ai/assistants/tests", status=503)
    outcome = test_services.tests_sync()
    assert isinstance(outcome.error, InternalServerError)
    assert AssistantTest.objects.count() == 1


@responses.activate
def test_create_sends_the_rubric_with_an_idempotency_key_and_audits(telnyx_base, team_admin, test_json):
    created = test_json(5, name="Refund flow")
    responses.post(f"{telnyx_base}/ai/assistants/tests", json=created, headers={"x-request-id": "req-1"})
    body = {"name": "Refund flow", "destination": "a1", "instructions": "Ask for a refund", "telnyx_conversation_channel": "web_chat",
            "rubric": [{"name": "polite", "criteria": "Stays polite"}]}

    test_services.test_create(user=team_admin, data=body, idempotency_key="portal-key-1")

    sent = responses.calls[0].request
    assert sent.headers["Idempotency-Key"] == "portal-key-1"
    assert json.loads(sent.body)["rubric"] == [{"name": "polite", "criteria": "Stays polite"}]
    assert AssistantTest.objects.get(telnyx_id="test-0005").name == "Refund flow"
    event = AuditEvent.objects.get()
    assert (event.action, event.resource_type, event.outcome, event.telnyx_request_id) == ("create", "assistant_test", "success", "req-1")


@responses.activate
def test_failed_create_caches_nothing_and_is_audited(telnyx_base, team_admin):
    responses.post(f"{telnyx_base}/ai/assistants/tests", status=422,
                   json={"errors": [{"title": "Invalid", "detail": "criteria is required", "source": {"pointer": "/rubric/0/criteria"}}]})
    with pytest.raises(UnprocessableEntityError):
        test_services.test_create(user=team_admin, data={"name": "X"})
    assert not AssistantTest.objects.exists()
    assert AuditEvent.objects.get().outcome == "failure"


@responses.activate
def test_update_puts_the_new_settings_and_records_what_changed(telnyx_base, team_admin, test_json):
    old = test_json(1)
    test_services.test_cache_put(old)
    responses.put(f"{telnyx_base}/ai/assistants/tests/test-0001", json=test_json(1, name="Renamed"))
    test_services.test_update(user=team_admin, test_id="test-0001", data={"name": "Renamed", "instructions": old["instructions"]}, before=old)
    assert AssistantTest.objects.get(telnyx_id="test-0001").name == "Renamed"
    assert AuditEvent.objects.get().changes == {"name": {"before": "Booking test 1", "after": "Renamed"}}


def test_roles_are_enforced_by_the_services_themselves(viewer, operator):
    with pytest.raises(PermissionDenied):
        test_services.test_create(user=operator, data={"name": "x"})
    with pytest.raises(PermissionDenied):
        test_services.test_delete(user=operator, test_id="t")
    with pytest.raises(PermissionDenied):
        run_services.test_run_trigger(user=viewer, test_id="t", idempotency_key="k")
    with pytest.raises(PermissionDenied):
        suite_services.suite_run_trigger(user=viewer, suite_name="s", idempotency_key="k")


@responses.activate
def test_run_trigger_sends_the_key_caches_the_run_and_audits(telnyx_base, operator, test_json, run_json):
    test_services.test_cache_put(test_json(1))
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-0001/runs", json=run_json("run-9"))
    run_services.test_run_trigger(user=operator, test_id="test-0001", idempotency_key="portal-run-key")
    assert responses.calls[0].request.headers["Idempotency-Key"] == "portal-run-key"
    assert TestRun.objects.get(telnyx_id="run-9").status == "pending"
    assert AuditEvent.objects.get().summary.startswith("Started a run of test “Booking test 1”")


@responses.activate
def test_run_trigger_retries_a_503_with_the_same_key(telnyx_base, settings, operator, run_json):
    settings.TELNYX_MAX_RETRIES = 1
    responses.post(f"{telnyx_base}/ai/assistants/tests/t1/runs", status=503)
    responses.post(f"{telnyx_base}/ai/assistants/tests/t1/runs", json=run_json("run-1", "t1"))
    run_services.test_run_trigger(user=operator, test_id="t1", idempotency_key="portal-same")
    keys = [c.request.headers["Idempotency-Key"] for c in responses.calls]
    assert keys == ["portal-same", "portal-same"]
    assert TestRun.objects.count() == 1


@responses.activate
def test_test_runs_sync_replaces_only_that_tests_runs(telnyx_base, run_json):
    run_services.runs_cache_put([run_json("old-run", "t1"), run_json("other", "t2")])
    responses.get(
        f"{telnyx_base}/ai/assistants/tests/t1/runs",
        json={"data": [run_json("new-run", "t1", "passed")], "meta": {"page_number": 1, "total_pages": 1}},
    )
    assert run_services.test_runs_sync(test_id="t1").ok
    assert sorted(TestRun.objects.values_list("telnyx_id", flat=True)) == ["new-run", "other"]


@responses.activate
def test_suites_sync_caches_the_names(telnyx_base):
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-suites", json={"data": ["booking", "sales"]})
    assert suite_services.suites_sync().ok
    assert list(TestSuite.objects.values_list("name", flat=True)) == ["booking", "sales"]


@responses.activate
def test_suite_trigger_keeps_the_batch_and_posts_the_version(telnyx_base, operator, run_json):
    runs = [run_json(f"r{i}", f"t{i}", test_suite_run_id="batch-1") for i in (1, 2, 3)]
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-suites/booking%20v2/runs", json=runs)

    suite_run = suite_services.suite_run_trigger(user=operator, suite_name="booking v2", version_id="ver-7", idempotency_key="portal-k")

    sent = responses.calls[0].request
    assert json.loads(sent.body) == {"destination_version_id": "ver-7"}
    assert sent.headers["Idempotency-Key"] == "portal-k"
    assert (suite_run.batch_id, suite_run.run_ids, suite_run.total, suite_run.status) == ("batch-1", ["r1", "r2", "r3"], 3, "running")
    assert suite_run.version_id == "ver-7" and suite_run.username == operator.username
    assert TestRun.objects.count() == 3


@responses.activate
def test_suite_trigger_retried_with_the_same_key_is_the_same_batch(telnyx_base, operator, run_json):
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs", json=[run_json("r1", test_suite_run_id="b1")])
    first = suite_services.suite_run_trigger(user=operator, suite_name="booking", idempotency_key="portal-k")
    again = suite_services.suite_run_trigger(user=operator, suite_name="booking", idempotency_key="portal-k")
    assert first.pk == again.pk and SuiteRun.objects.count() == 1
    assert len(responses.calls) == 1


@responses.activate
def test_suite_trigger_failure_creates_no_batch_and_is_audited(telnyx_base, operator):
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs", body=RequestsConnectionError())
    with pytest.raises(APIConnectionError):
        suite_services.suite_run_trigger(user=operator, suite_name="booking", idempotency_key="portal-k")
    assert not SuiteRun.objects.exists()
    assert AuditEvent.objects.get().outcome == "failure"


@responses.activate
def test_refresh_reads_the_batch_and_summarises_when_all_are_final(telnyx_base, operator, run_json):
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs",
                   json=[run_json("r1", "t1", test_suite_run_id="b1"), run_json("r2", "t2", test_suite_run_id="b1")])
    suite_run = suite_services.suite_run_trigger(user=operator, suite_name="booking", idempotency_key="k")
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs",
                  match=[responses.matchers.query_param_matcher({"test_suite_run_id": "b1", "page[number]": "1", "page[size]": "100"})],
                  json={"data": [run_json("r1", "t1", "passed", test_suite_run_id="b1"), run_json("r2", "t2", "failed", test_suite_run_id="b1")],
                        "meta": {"page_number": 1, "total_pages": 1}})

    assert suite_services.suite_run_refresh(suite_run) is None

    suite_run.refresh_from_db()
    assert (suite_run.passed, suite_run.failed, suite_run.status, suite_run.is_final) == (1, 1, "failed", True)
    assert suite_run.finished_at is not None
    # Nothing left to poll: no further call to Telnyx.
    calls = len(responses.calls)
    suite_services.suite_run_refresh(suite_run)
    assert len(responses.calls) == calls


@responses.activate
def test_refresh_failure_keeps_the_last_known_state(telnyx_base, operator, run_json):
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs", json=[run_json("r1", test_suite_run_id="b1")])
    suite_run = suite_services.suite_run_trigger(user=operator, suite_name="booking", idempotency_key="k")
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs", status=503)
    error = suite_services.suite_run_refresh(suite_run)
    assert isinstance(error, InternalServerError)
    assert TestRun.objects.get(telnyx_id="r1").status == "pending"
    suite_run.refresh_from_db()
    assert suite_run.run_ids == ["r1"] and suite_run.status == "running"


@responses.activate
def test_history_sync_groups_runs_started_elsewhere_into_batches(telnyx_base, run_json):
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs", json={"data": [
        run_json("r1", "t1", "passed", test_suite_run_id="b1"), run_json("r2", "t2", "error", test_suite_run_id="b1"),
        run_json("r3", "t1", "passed", test_suite_run_id="b2", created_at="2026-11-22T09:00:00Z"),
        run_json("r4", "t1", "running"),  # a single test run, not part of a suite run
    ], "meta": {"page_number": 1, "total_pages": 1}})
    assert suite_services.suite_history_sync(suite_name="booking").ok
    b1, b2 = SuiteRun.objects.get(batch_id="b1"), SuiteRun.objects.get(batch_id="b2")
    assert (b1.total, b1.passed, b1.errored, b1.status) == (2, 1, 1, "error")
    assert (b2.status, b2.username) == ("passed", "")
    assert SuiteRun.objects.count() == 2


@responses.activate
def test_a_batch_without_a_telnyx_batch_id_is_followed_run_by_run(telnyx_base, operator, run_json):
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs", json=[run_json("r1", "t1"), run_json("r2", "t2")])
    suite_run = suite_services.suite_run_trigger(user=operator, suite_name="booking", idempotency_key="k")
    assert suite_run.batch_id.startswith("portal-")
    responses.get(f"{telnyx_base}/ai/assistants/tests/t1/runs/r1", json=run_json("r1", "t1", "passed"))
    responses.get(f"{telnyx_base}/ai/assistants/tests/t2/runs/r2", json=run_json("r2", "t2", "passed"))
    assert suite_services.suite_run_refresh(suite_run) is None
    suite_run.refresh_from_db()
    assert (suite_run.status, suite_run.passed, suite_run.total) == ("passed", 2, 2)


@responses.activate
def test_sync_walks_full_pages_of_tests_which_have_no_id_field(telnyx_base, test_json):
    """Tests are keyed `test_id`: two full pages must not be mistaken for the same page twice."""
    for page in (1, 2):
        items = [test_json(n) for n in range((page - 1) * 100 + 1, page * 100 + 1)]
        responses.get(f"{telnyx_base}/ai/assistants/tests",
                      match=[responses.matchers.query_param_matcher({"page[number]": str(page), "page[size]": "100"})],
                      json={"data": items, "meta": {"page_number": page, "total_pages": 2}})
    assert test_services.tests_sync().count == 200
    assert AssistantTest.objects.count() == 200
