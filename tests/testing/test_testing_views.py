"""Test pages (changelist, bulk actions, create/edit with the rubric editor, delete, detail, run now)."""

from __future__ import annotations

import json
from contextlib import contextmanager
from unittest import mock

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from assistants.services.assistants import assistant_cache_put
from portal.models import AuditEvent, SyncState
from testing.models import AssistantTest, TestRun
from testing.services import assistant_tests as test_services
from testing.tasks import track_test_runs

pytestmark = pytest.mark.django_db


@contextmanager
def queued_on_a_worker():
    """Tasks sent to a worker rather than run inline: yields the mock that queues a follow-up."""
    with mock.patch("testing.tasks.eager", return_value=False), mock.patch("testing.tasks.follow") as follow:
        yield follow


LIST = reverse("testing:test-list")
CREATE = reverse("testing:test-add")


@pytest.fixture
def cached(test_json, assistant_json):
    """Twelve cached tests in two suites over two channels, freshly synced."""
    assistant_cache_put(assistant_json(1, name="Concierge"))
    for n in range(1, 13):
        test_services.test_cache_put(test_json(
            n, name=f"Test {n:02d}", test_suite="booking" if n <= 8 else "refunds",
            telnyx_conversation_channel="phone_call" if n % 3 == 0 else "web_chat",
            instructions="Speak German" if n == 7 else "Be brief",
        ))
    SyncState.objects.create(resource="assistant-tests", synced_at=timezone.now(), item_count=12)


def form_data(**overrides) -> dict:
    data = {
        "name": "Refund happy path", "destination": "assistant-1", "telnyx_conversation_channel": "phone_call",
        "instructions": "Ask for a refund of order 42.", "test_suite": "refunds", "max_duration_seconds": "90",
        "idempotency_key": "portal-form-key",
        "rubric-TOTAL_FORMS": "2", "rubric-INITIAL_FORMS": "0", "rubric-MIN_NUM_FORMS": "1", "rubric-MAX_NUM_FORMS": "1000",
        "rubric-0-name": "verifies", "rubric-0-criteria": "Asks for the order number",
        "rubric-1-name": "refunds", "rubric-1-criteria": "Confirms the refund",
    }
    data.update(overrides)
    return data


# --- changelist ---------------------------------------------------------------------------
@responses.activate
def test_list_renders_from_cache_with_suites_channels_and_destination_names(viewer_client, cached):
    content = viewer_client.get(LIST).content.decode()
    assert "Test 01" in content and "12 results" in content and "Concierge" in content
    assert len(responses.calls) == 0


def test_search_matches_name_and_instructions(viewer_client, cached):
    content = viewer_client.get(LIST, {"q": "german"}).content.decode()
    assert "Test 07" in content and "1 result" in content


def test_filters_by_suite_channel_and_destination(viewer_client, cached):
    content = viewer_client.get(LIST, {"suite": "refunds", "channel": "phone_call"}).content.decode()
    assert "Test 09" in content and "Test 12" in content and "2 results" in content and "Test 03" not in content
    other = viewer_client.get(LIST, {"destination": "assistant-00000001-0000-4000-8000-000000000000"}).content.decode()
    assert "12 results" in other


def test_sort_and_htmx_fragment(viewer_client, cached):
    content = viewer_client.get(LIST, {"sort": "-name"}).content.decode()
    assert content.index("Test 12") < content.index("Test 01")
    fragment = viewer_client.get(LIST, {"q": "Test"}, headers={"HX-Request": "true"})
    assert b'id="changelist-table"' in fragment.content and b"<html" not in fragment.content


@responses.activate
def test_refresh_swaps_in_telnyx_tests(viewer_client, telnyx_base, test_json):
    responses.get(f"{telnyx_base}/ai/assistants/tests", json={"data": [test_json(1, name="Fresh test")], "meta": {"page_number": 1, "total_pages": 1}})
    response = viewer_client.post(reverse("testing:test-refresh"), headers={"HX-Request": "true"})
    assert b"Fresh test" in response.content and b"<html" not in response.content


@responses.activate
def test_refresh_failure_keeps_the_cached_list_under_a_banner(viewer_client, telnyx_base, cached):
    responses.get(f"{telnyx_base}/ai/assistants/tests", status=503)
    response = viewer_client.post(reverse("testing:test-refresh"), headers={"HX-Request": "true"})
    assert b"Refresh failed, showing the cached list" in response.content and b"Test 01" in response.content
    assert AssistantTest.objects.count() == 12


def test_viewer_sees_no_bulk_actions_or_add_button(viewer_client, cached):
    content = viewer_client.get(LIST).content.decode()
    assert 'data-testid="bulk-bar"' not in content and "Add test" not in content and 'name="selected"' not in content


def test_operator_can_run_but_not_delete_in_bulk(operator_client, cached):
    content = operator_client.get(LIST).content.decode()
    assert "Run selected tests" in content and "Delete selected tests" not in content


@responses.activate
def test_bulk_run_starts_each_selected_test_once_even_when_resubmitted(operator_client, telnyx_base, cached, run_json):
    for tid in ("test-0001", "test-0002"):
        responses.post(f"{telnyx_base}/ai/assistants/tests/{tid}/runs", json=run_json(f"run-{tid}", tid))
    data = {"action": "run", "selected": ["test-0001", "test-0002"], "idempotency_key": "portal-bulk"}
    with queued_on_a_worker() as follow:
        response = operator_client.post(reverse("testing:test-bulk-action"), data, follow=True)
    assert "Started 2 test runs." in response.content.decode()
    # Each test's runs are followed on the worker from now on, page open or not.
    assert follow.call_args_list == [mock.call(track_test_runs, "test-0001"), mock.call(track_test_runs, "test-0002")]
    with queued_on_a_worker():
        operator_client.post(reverse("testing:test-bulk-action"), data)
    keys = [c.request.headers["Idempotency-Key"] for c in responses.calls]
    assert len(set(keys)) == 2 and len(keys) == 4  # a resubmission reuses the same per-test keys


def test_bulk_action_without_selection_says_so(operator_client, cached):
    response = operator_client.post(reverse("testing:test-bulk-action"), {"action": "run"}, follow=True)
    assert "Select at least one test first." in response.content.decode()


def test_operator_cannot_bulk_delete(operator_client, cached):
    response = operator_client.post(reverse("testing:test-bulk-action"), {"action": "delete", "selected": ["test-0001"]})
    # The action redirects to the Admin-only confirmation, which refuses the Operator.
    assert operator_client.get(response.url).status_code == 403


@responses.activate
def test_bulk_delete_lists_the_tests_first_then_deletes_them(team_admin_client, telnyx_base, cached):
    response = team_admin_client.post(reverse("testing:test-bulk-action"),
                                      {"action": "delete", "selected": ["test-0001", "test-0002"], "idempotency_key": "k"}, follow=True)
    content = response.content.decode()
    assert "Delete 2 tests?" in content and "Test 01" in content and "Test 02" in content
    assert len(responses.calls) == 0
    for tid in ("test-0001", "test-0002"):
        responses.delete(f"{telnyx_base}/ai/assistants/tests/{tid}", status=204)
    done = team_admin_client.post(reverse("testing:test-bulk-delete"), {"id": ["test-0001", "test-0002"]}, follow=True)
    assert "Deleted 2 tests." in done.content.decode()
    assert AssistantTest.objects.count() == 10
    assert AuditEvent.objects.filter(action="delete", outcome="success").count() == 2


# --- create / edit / rubric editor -------------------------------------------------------------
def test_create_form_offers_cached_assistants_and_suites(team_admin_client, cached):
    content = team_admin_client.get(CREATE).content.decode()
    assert 'value="assistant-00000001-0000-4000-8000-000000000000">Concierge</option>' in content
    assert '<option value="refunds">' in content
    assert content.count('data-testid="rubric-row"') == 1


@responses.activate
def test_create_posts_the_test_with_its_rubric_and_redirects(team_admin_client, telnyx_base, test_json):
    responses.post(f"{telnyx_base}/ai/assistants/tests", json=test_json(77, name="Refund happy path"))
    response = team_admin_client.post(CREATE, form_data())
    assert response.status_code == 302 and response.url == reverse("testing:test-detail", args=["test-0077"])
    sent = responses.calls[0].request
    body = json.loads(sent.body)
    assert sent.headers["Idempotency-Key"] == "portal-form-key"
    assert body["rubric"] == [{"name": "verifies", "criteria": "Asks for the order number"}, {"name": "refunds", "criteria": "Confirms the refund"}]
    assert (body["max_duration_seconds"], body["test_suite"], body["telnyx_conversation_channel"]) == (90, "refunds", "phone_call")


def test_create_needs_at_least_one_rubric_row(team_admin_client):
    response = team_admin_client.post(CREATE, form_data(**{"rubric-TOTAL_FORMS": "0"}))
    assert response.status_code == 200 and "Add at least one criterion." in response.content.decode()


@responses.activate
def test_create_422_keeps_values_and_says_why(team_admin_client, telnyx_base):
    responses.post(f"{telnyx_base}/ai/assistants/tests", status=422,
                   json={"errors": [{"title": "Invalid", "detail": "destination is not an assistant", "source": {"pointer": "/destination"}}]})
    response = team_admin_client.post(CREATE, form_data())
    content = response.content.decode()
    assert response.context["form"].errors["destination"] == ["destination is not an assistant"]
    assert 'value="Refund happy path"' in content and "Confirms the refund" in content


def test_rubric_rows_add_remove_and_reorder_over_htmx(team_admin_client):
    url = reverse("testing:rubric-rows")
    added = team_admin_client.post(url, {**form_data(), "rubric_op": "add"}, headers={"HX-Request": "true"}).content.decode()
    assert added.count('data-testid="rubric-row"') == 3 and "<html" not in added
    moved = team_admin_client.post(url, {**form_data(), "rubric_op": "up-1"}, headers={"HX-Request": "true"}).content.decode()
    assert moved.index("Confirms the refund") < moved.index("Asks for the order number")
    removed = team_admin_client.post(url, {**form_data(), "rubric_op": "remove-0"}, headers={"HX-Request": "true"}).content.decode()
    assert removed.count('data-testid="rubric-row"') == 1 and "Asks for the order number" not in removed


def test_rubric_buttons_work_without_javascript_and_save_nothing(team_admin_client):
    response = team_admin_client.post(CREATE, {**form_data(), "rubric_op": "add"})
    content = response.content.decode()
    assert response.status_code == 200 and content.count('data-testid="rubric-row"') == 3
    assert 'value="Refund happy path"' in content


def test_last_rubric_row_cannot_be_removed(team_admin_client):
    data = form_data(**{"rubric-TOTAL_FORMS": "1"})
    content = team_admin_client.post(reverse("testing:rubric-rows"), {**data, "rubric_op": "remove-0"}).content.decode()
    assert content.count('data-testid="rubric-row"') == 1


@responses.activate
def test_edit_loads_the_test_and_puts_changes(team_admin_client, telnyx_base, test_json):
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-0001", json=test_json(1))
    page = team_admin_client.get(reverse("testing:test-change", args=["test-0001"])).content.decode()
    assert 'value="Booking test 1"' in page and "Greets the caller by name" in page
    responses.put(f"{telnyx_base}/ai/assistants/tests/test-0001", json=test_json(1, name="Renamed"))
    response = team_admin_client.post(reverse("testing:test-change", args=["test-0001"]), form_data(name="Renamed"))
    assert response.status_code == 302
    assert json.loads(responses.calls[-1].request.body)["name"] == "Renamed"
    assert AssistantTest.objects.get(telnyx_id="test-0001").name == "Renamed"


def test_operator_cannot_open_create(operator_client):
    assert operator_client.get(CREATE).status_code == 403


@responses.activate
def test_delete_confirms_then_deletes(team_admin_client, telnyx_base, cached):
    confirm = team_admin_client.get(reverse("testing:test-delete", args=["test-0004"])).content.decode()
    assert "Delete “Test 04”?" in confirm
    responses.delete(f"{telnyx_base}/ai/assistants/tests/test-0004", status=204)
    done = team_admin_client.post(reverse("testing:test-delete", args=["test-0004"]), follow=True)
    assert "Deleted test “Test 04”." in done.content.decode()
    assert not AssistantTest.objects.filter(telnyx_id="test-0004").exists()


# --- detail and run now ---------------------------------------------------------------------
@responses.activate
def test_detail_shows_settings_and_run_history(viewer_client, telnyx_base, test_json, run_json):
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-0001", json=test_json(1))
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-0001/runs", json={"data": [
        run_json("run-a", status="failed"), run_json("run-b", status="passed")], "meta": {"page_number": 1, "total_pages": 1}})
    content = viewer_client.get(reverse("testing:test-detail", args=["test-0001"])).content.decode()
    assert "Ask to book a table for 1 people." in content and "Greets the caller by name" in content
    assert "1/2 criteria" in content and "2/2 criteria" in content and "42s" in content
    assert "Run now" not in content and "Edit" not in content


@responses.activate
def test_run_now_failure_keeps_the_key_so_the_retry_is_the_same_run(operator_client, telnyx_base, test_json, run_json):
    test_services.test_cache_put(test_json(1))
    url = reverse("testing:test-run", args=["test-0001"])
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-0001/runs", status=503)
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-0001", json=test_json(1))
    with queued_on_a_worker() as follow:
        failed = operator_client.post(url, {"idempotency_key": "portal-run-once"})
        content = failed.content.decode()
        assert "The run did not start." in content and "server error (503)" in content
        assert 'value="portal-run-once"' in content  # the page's Run now button retries with the same key
        assert not TestRun.objects.exists() and not follow.called  # nothing started, nothing to follow

        responses.post(f"{telnyx_base}/ai/assistants/tests/test-0001/runs", json=run_json("run-ok"))
        retried = operator_client.post(url, {"idempotency_key": "portal-run-once"})
    assert retried.status_code == 302 and retried.url == reverse("testing:run-detail", args=["test-0001", "run-ok"])
    follow.assert_called_once_with(track_test_runs, "test-0001")
    posts = [c.request for c in responses.calls if c.request.method == "POST"]
    assert [p.headers["Idempotency-Key"] for p in posts] == ["portal-run-once", "portal-run-once"]


# --- run detail -----------------------------------------------------------------------------
@responses.activate
def test_run_detail_shows_rubric_verdicts_and_transcript(viewer_client, telnyx_base, test_json, run_json):
    test_services.test_cache_put(test_json(1))
    run = run_json("run-f", status="failed", conversation_id="conv-1")
    run["detail_status"][1]["reasoning"] = "The assistant never confirmed a time."
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-0001/runs/run-f", json=run)
    responses.get(f"{telnyx_base}/ai/conversations/conv-1/messages", json={"data": [
        {"role": "user", "text": "Book a table", "created_at": "2026-11-23T10:00:01Z"},
        {"role": "assistant", "text": "For how many?", "created_at": "2026-11-23T10:00:02Z"}], "meta": {"page_number": 1, "total_pages": 1}})
    response = viewer_client.get(reverse("testing:run-detail", args=["test-0001", "run-f"]))
    content = response.content.decode()
    assert 'data-status="failed"' in content and "Books a table" in content
    assert "The assistant never confirmed a time." in content
    assert content.index("Book a table") < content.index("For how many?")
    assert "42s" in content


@responses.activate
def test_run_detail_in_error_shows_telnyxs_message(viewer_client, telnyx_base, run_json):
    responses.get(f"{telnyx_base}/ai/assistants/tests/t1/runs/r1", json=run_json("r1", "t1", "error", logs="Destination did not answer"))
    content = viewer_client.get(reverse("testing:run-detail", args=["t1", "r1"])).content.decode()
    assert "The run ended in an error." in content and "Destination did not answer" in content


@responses.activate
def test_run_detail_polls_until_final_then_stops(viewer_client, telnyx_base, run_json):
    url = reverse("testing:run-detail", args=["t1", "r1"])
    responses.get(f"{telnyx_base}/ai/assistants/tests/t1/runs/r1", json=run_json("r1", "t1", "running"))
    page = viewer_client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page
    responses.replace(responses.GET, f"{telnyx_base}/ai/assistants/tests/t1/runs/r1", json=run_json("r1", "t1", "passed"))
    final = viewer_client.get(url, headers={"HX-Request": "true"})
    assert final.status_code == 286 and b'data-status="passed"' in final.content and b"<html" not in final.content


@responses.activate
def test_edit_can_take_a_test_out_of_its_suite(team_admin_client, telnyx_base, test_json):
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-0001", json=test_json(1))
    responses.put(f"{telnyx_base}/ai/assistants/tests/test-0001", json=test_json(1, test_suite=""))
    team_admin_client.post(reverse("testing:test-change", args=["test-0001"]), form_data(test_suite="", description=""))
    sent = json.loads(responses.calls[-1].request.body)
    assert sent["test_suite"] == "" and sent["description"] == ""
    assert AssistantTest.objects.get(telnyx_id="test-0001").test_suite == ""


@responses.activate
def test_detail_lists_the_tests_recorded_changes(team_admin, team_admin_client, telnyx_base, test_json):
    old = test_json(1)
    test_services.test_cache_put(old)
    responses.put(f"{telnyx_base}/ai/assistants/tests/test-0001", json=test_json(1, name="Renamed"))
    test_services.test_update(user=team_admin, test_id="test-0001", data={"name": "Renamed"}, before=old)
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-0001", json=test_json(1, name="Renamed"))
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-0001/runs", json={"data": [], "meta": {"page_number": 1, "total_pages": 1}})
    content = team_admin_client.get(reverse("testing:test-detail", args=["test-0001"])).content.decode()
    assert "Updated test “Renamed”" in content and "ada_admin" in content


@responses.activate
def test_detail_history_polls_while_a_run_is_unfinished(viewer_client, telnyx_base, test_json, run_json):
    url = reverse("testing:test-detail", args=["test-0001"])
    runs_url = f"{telnyx_base}/ai/assistants/tests/test-0001/runs"
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-0001", json=test_json(1))
    responses.get(runs_url, json={"data": [run_json("r1", status="running")], "meta": {"page_number": 1, "total_pages": 1}})
    assert 'hx-trigger="every 2s"' in viewer_client.get(url).content.decode()
    responses.replace(responses.GET, runs_url, json={"data": [run_json("r1", status="passed")], "meta": {"page_number": 1, "total_pages": 1}})
    fragment = viewer_client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 286 and b'data-status="passed"' in fragment.content and b"<html" not in fragment.content
    assert b"every 2s" not in fragment.content
