"""Suites as objects: add, rename, delete; Run from the list; last result, pass rate and flaky
counts on the tests and suites lists; an unknown suite URL is a 404."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from conversations.models import Conversation
from portal.models import AuditEvent, SyncState
from testing.models import SuiteAlert, SuiteRun, TestRun, TestSuite
from testing.results import is_flaky
from testing.services import assistant_tests as test_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def tests_cached(test_json):
    for n in (1, 2, 3):
        test_services.test_cache_put(test_json(n, test_suite="booking" if n < 3 else ""))
    now = timezone.now()
    TestSuite.objects.create(telnyx_id="booking", name="booking", synced_at=now)
    SyncState.objects.create(resource="test-suites", synced_at=now)
    SyncState.objects.create(resource="assistant-tests", synced_at=now)


def mock_updates(telnyx_base, test_json, fail: str = ""):
    """PUT /tests/<id> answers with the test carrying the suite sent (503 for `fail`)."""
    def answer(request):
        test_id = request.url.rstrip("/").rsplit("/", 1)[1]
        if test_id == fail:
            return 503, {"Content-Type": "application/json"}, json.dumps({"errors": [{"title": "Service unavailable"}]})
        n = int(test_id.split("-")[1])
        return 200, {"Content-Type": "application/json"}, json.dumps({"data": test_json(n, test_suite=json.loads(request.body)["test_suite"])})

    responses.add_callback(responses.PUT, _re(f"{telnyx_base}/ai/assistants/tests/"), callback=answer)


def _re(prefix):
    import re
    return re.compile(re.escape(prefix) + r"test-\d+")


def add_runs(test_id, statuses, versions=None):
    """Finished runs, oldest first; with `versions`, each run's conversation is cached as served by that version."""
    start = timezone.now() - timedelta(hours=len(statuses))
    for i, status in enumerate(statuses):  # oldest first
        payload = {"status": status}
        if versions:
            payload["conversation_id"] = f"conv-{test_id}-r{i}"
            Conversation.objects.create(telnyx_id=payload["conversation_id"], assistant_id="asst-1", is_test=True,
                                        assistant_version_id=versions[i], synced_at=start, payload={})
        TestRun.objects.create(telnyx_id=f"{test_id}-r{i}", test_id=test_id, status=status, synced_at=start,
                               created_at=start + timedelta(minutes=i), payload=payload)


@responses.activate
def test_admin_adds_a_suite_from_chosen_tests(team_admin_client, tests_cached, telnyx_base, test_json):
    mock_updates(telnyx_base, test_json)
    response = team_admin_client.post(reverse("testing:suite-add"), {"name": " Smoke  checks ", "tests": ["test-0003"]})
    assert response.status_code == 302 and response.url == reverse("testing:suite-detail", args=["Smoke checks"])
    sent = json.loads(responses.calls[0].request.body)
    assert sent == {"test_suite": "Smoke checks"}
    page = team_admin_client.get(reverse("testing:suite-list"))
    assert "Smoke checks" in page.content.decode()
    assert AuditEvent.objects.filter(resource_type="test_suite", resource_id="Smoke checks", action="add_tests").exists()


def test_adding_a_suite_needs_a_test_and_a_new_name(team_admin_client, tests_cached):
    response = team_admin_client.post(reverse("testing:suite-add"), {"name": "booking", "tests": ["test-0003"]})
    assert "exists already" in response.content.decode()
    response = team_admin_client.post(reverse("testing:suite-add"), {"name": "Empty"})
    assert "Choose at least one test" in response.content.decode()
    assert 'value="Empty"' in response.content.decode()


@responses.activate
def test_rename_moves_tests_history_and_alert(team_admin_client, tests_cached, telnyx_base, test_json):
    mock_updates(telnyx_base, test_json)
    SuiteRun.objects.create(batch_id="b1", suite="booking", started_at=timezone.now(), run_ids=[])
    SuiteAlert.objects.create(suite="booking", threshold_percent=80)
    response = team_admin_client.post(reverse("testing:suite-change", args=["booking"]), {"name": "Bookings"})
    assert response.url == reverse("testing:suite-detail", args=["Bookings"])
    assert {json.loads(c.request.body)["test_suite"] for c in responses.calls} == {"Bookings"}
    assert len(responses.calls) == 2
    assert SuiteRun.objects.get(batch_id="b1").suite == "Bookings"
    assert SuiteAlert.objects.get().suite == "Bookings"
    names = team_admin_client.get(reverse("testing:suite-list")).content.decode()
    assert "Bookings" in names and ">booking<" not in names


@responses.activate
def test_rename_that_telnyx_refuses_half_way_keeps_the_history_on_the_old_name(team_admin_client, tests_cached, telnyx_base, test_json):
    mock_updates(telnyx_base, test_json, fail="test-0002")
    SuiteRun.objects.create(batch_id="b1", suite="booking", started_at=timezone.now(), run_ids=[])
    response = team_admin_client.post(reverse("testing:suite-change", args=["booking"]), {"name": "Bookings"}, follow=True)
    text = response.content.decode()
    assert "rename again to move the rest" in text and "Booking test 2" in text
    assert SuiteRun.objects.get(batch_id="b1").suite == "booking"


@responses.activate
def test_delete_keeps_the_tests_out_of_any_suite(team_admin_client, tests_cached, telnyx_base, test_json):
    mock_updates(telnyx_base, test_json)
    SuiteAlert.objects.create(suite="booking", threshold_percent=80)
    confirm = team_admin_client.get(reverse("testing:suite-delete", args=["booking"]))
    assert "Booking test 1" in confirm.content.decode()
    response = team_admin_client.post(reverse("testing:suite-delete", args=["booking"]))
    assert response.url == reverse("testing:suite-list")
    assert {json.loads(c.request.body)["test_suite"] for c in responses.calls} == {""}
    assert not SuiteAlert.objects.exists()
    listed = team_admin_client.get(reverse("testing:suite-list")).content.decode()
    assert "its 2 tests are kept" in listed and 'href="/testing/suites/booking/"' not in listed


def test_operator_cannot_rename_or_delete(operator_client, tests_cached):
    assert operator_client.post(reverse("testing:suite-change", args=["booking"]), {"name": "x"}).status_code == 403
    assert operator_client.post(reverse("testing:suite-delete", args=["booking"])).status_code == 403


@responses.activate
def test_unknown_suite_url_is_a_404(viewer_client, tests_cached, telnyx_base):
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-suites", json={"data": ["booking"]})
    assert viewer_client.get(reverse("testing:suite-detail", args=["no such suite"])).status_code == 404


@responses.activate
def test_run_from_the_suites_list_starts_the_suite_on_main(operator_client, tests_cached, telnyx_base, run_json):
    page = operator_client.get(reverse("testing:suite-list")).content.decode()
    assert 'data-testid="run-suite-row"' in page
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs",
                   json=[run_json("r1", "test-0001", test_suite_run_id="batch-9")])
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    response = operator_client.post(reverse("testing:suite-run-trigger", args=["booking"]), {"idempotency_key": key})
    assert response.url == reverse("testing:suite-run-detail", args=["booking", "batch-9"])
    trigger = next(c for c in responses.calls if c.request.method == "POST")
    assert "destination_version_id" not in (trigger.request.body or b"{}").decode() if isinstance(trigger.request.body, bytes) \
        else "destination_version_id" not in (trigger.request.body or "")


def test_tests_list_shows_last_result_pass_rate_and_flaky(viewer_client, tests_cached):
    add_runs("test-0001", ["passed", "failed", "passed", "failed"], ["v1", "v1", "v2", "v2"])  # both on one version: flaky
    add_runs("test-0002", ["failed", "passed", "passed"])  # fixed once: not flaky
    page = viewer_client.get(reverse("testing:test-list")).content.decode()
    rows = {name: page.split(name, 1)[1].split("</tr>", 1)[0] for name in ("Booking test 1", "Booking test 2", "Booking test 3")}
    assert 'data-status="failed"' in rows["Booking test 1"] and "50%" in rows["Booking test 1"] and "flaky" in rows["Booking test 1"]
    assert 'data-status="passed"' in rows["Booking test 2"] and "67%" in rows["Booking test 2"] and "flaky" not in rows["Booking test 2"]
    assert "never run" in rows["Booking test 3"]
    suites = viewer_client.get(reverse("testing:suite-list")).content.decode()
    assert "1 flaky" in suites


def test_a_result_that_follows_the_version_is_not_flaky(viewer_client, tests_cached):
    # Failed on v1, passed on v2, failed again when v1 came back: each version gives one answer.
    add_runs("test-0001", ["failed", "passed", "failed", "passed"], ["v1", "v2", "v1", "v2"])
    page = viewer_client.get(reverse("testing:test-list")).content.decode()
    assert "flaky" not in page.split("Booking test 1", 1)[1].split("</tr>", 1)[0]
    assert "1 flaky" not in viewer_client.get(reverse("testing:suite-list")).content.decode()


def test_one_definition_of_flaky():
    assert is_flaky([("v1", "passed"), ("v1", "error")])
    assert not is_flaky([("v1", "passed"), ("v2", "failed"), ("v1", "passed")])
    assert not is_flaky([("v1", "passed"), ("v1", "running")])  # only finished results count
    # Version unknown (main at the time, which may have moved): back and forth counts, one change does not.
    assert is_flaky([("", "passed"), ("", "failed"), ("", "passed")])
    assert not is_flaky([("", "failed"), ("", "passed"), ("", "passed")])
    assert not is_flaky([])


def test_tests_list_reads_records_in_one_query_per_page(viewer_client, tests_cached, test_json, django_assert_max_num_queries):
    for n in range(4, 30):
        test_services.test_cache_put(test_json(n))
        add_runs(f"test-{n:04d}", ["passed", "failed"])
    viewer_client.get(reverse("testing:test-list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as many:
        viewer_client.get(reverse("testing:test-list") + "?q=Booking")
    add_runs("test-0001", ["passed"] * 5)
    with CaptureQueriesContext(connection) as more:
        viewer_client.get(reverse("testing:test-list") + "?q=Booking&sort=-name")
    assert len(more) <= len(many)
