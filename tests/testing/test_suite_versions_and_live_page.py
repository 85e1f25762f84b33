"""Run suite with a version per destination assistant, names instead of ids, who started a run,
and the live run page's progress, timing and actions."""

from __future__ import annotations

import json

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from assistants.models import Assistant, AssistantVersion
from portal.models import SyncState
from testing.models import SuiteRun, TestRun, TestSuite
from testing.services import assistant_tests as test_services
from testing.services.suites import suite_run_trigger

from .test_testing_suites import DESTINATION, make_batch, mock_history, mock_versions

pytestmark = pytest.mark.django_db

OTHER = "assistant-00000002-0000-4000-8000-000000000000"


def cache_assistant(assistant_id: str, name: str, versions: dict[str, str]) -> None:
    now = timezone.now()
    Assistant.objects.update_or_create(telnyx_id=assistant_id, defaults={"name": name, "payload": {}, "synced_at": now})
    for version_id, version_name in versions.items():
        AssistantVersion.objects.update_or_create(
            telnyx_id=f"{assistant_id}:{version_id}",
            defaults={"assistant_id": assistant_id, "version_id": version_id, "name": version_name, "payload": {}, "synced_at": now})


@pytest.fixture
def two_assistant_suite(test_json):
    """Suite "mixed": two tests call Acme Support, one calls Order Status Bot."""
    test_services.test_cache_put(test_json(1, test_suite="mixed", destination=DESTINATION, created_at="2026-11-01T10:00:00Z"))
    test_services.test_cache_put(test_json(2, test_suite="mixed", destination=DESTINATION, created_at="2026-11-02T10:00:00Z"))
    test_services.test_cache_put(test_json(3, test_suite="mixed", destination=OTHER, name="Order status", created_at="2026-11-03T10:00:00Z"))
    now = timezone.now()
    TestSuite.objects.create(telnyx_id="mixed", name="mixed", synced_at=now)
    SyncState.objects.create(resource="test-suites", synced_at=now)


@responses.activate
def test_a_suite_calling_two_assistants_runs_each_test_on_its_own_assistants_version(
        operator_client, telnyx_base, two_assistant_suite, run_json):
    mock_history(telnyx_base, "mixed")
    mock_versions(telnyx_base, ("ver-a", "ver-b"))
    mock_versions(telnyx_base, ("ord-1", "ord-2"), assistant=OTHER, name="Order Status Bot")
    page = operator_client.get(reverse("testing:suite-detail", args=["mixed"])).content.decode()
    # One choice per assistant, each offering only that assistant's versions.
    assert "Version of Acme Support" in page and "Version of Order Status Bot" in page
    form = page[page.index('name="version-1"'):]
    form = form[:form.index("</select>")]
    assert "Release ord-1" in form and "Release ver-a" not in form

    for n in (1, 2, 3):
        responses.post(f"{telnyx_base}/ai/assistants/tests/test-000{n}/runs", json=run_json(f"r{n}", f"test-000{n}"))
    response = operator_client.post(reverse("testing:suite-run-trigger", args=["mixed"]),
                                    {"version-0": "ver-b", "version-1": "", "idempotency_key": "portal-mixed"})
    assert response.status_code == 302
    sent = {call.request.url.rsplit("/", 2)[-2]: json.loads(call.request.body or b"{}")
            for call in responses.calls if call.request.method == "POST"}
    # Acme's tests ran on Acme's version; Order Status Bot's test on its main version, not on ver-b.
    assert sent == {"test-0001": {"destination_version_id": "ver-b"}, "test-0002": {"destination_version_id": "ver-b"},
                    "test-0003": {}}
    batch = SuiteRun.objects.get()
    assert batch.versions == {DESTINATION: "ver-b"} and batch.total == 3

    live = operator_client.get(response.url).content.decode()
    targets = live[live.index('data-testid="suite-runs"'):]
    assert "Acme Support · Release ver-b" in targets and "Order Status Bot · main version" in targets
    assert "· ver-b<" not in targets  # the name, not the id


@responses.activate
def test_the_suite_endpoint_is_not_sent_one_version_for_several_assistants(operator, two_assistant_suite):
    with pytest.raises(ValueError):
        suite_run_trigger(user=operator, suite_name="mixed", version_id="ver-b", idempotency_key="k")
    assert not responses.calls and not SuiteRun.objects.exists()


@responses.activate
def test_names_not_ids_in_the_run_header_trend_tooltip_and_pass_rate_by_version(viewer_client, telnyx_base, test_json):
    for n in (1, 2):
        test_services.test_cache_put(test_json(n, test_suite="booking", destination=DESTINATION))
    cache_assistant(DESTINATION, "Acme Support", {"ver-a": "Spring release"})
    mock_history(telnyx_base)
    batch = make_batch(1, passed=2, version="ver-a")
    page = viewer_client.get(reverse("testing:suite-detail", args=["booking"])).content.decode()
    chart = page[page.index('data-testid="trend-chart"'):page.index("</svg>")]
    assert "on Spring release" in chart and "ver-a" not in chart
    by_version = page[page.index('data-testid="by-version"'):]
    by_version = by_version[:by_version.index("</table>")]
    assert "Acme Support" in by_version and ">Spring release<" in by_version
    live = viewer_client.get(reverse("testing:suite-run-detail", args=["booking", batch.batch_id])).content.decode()
    header = live[live.index('data-testid="run-header"'):]
    assert header[:header.index("</div>")].count("Spring release") == 1 and "by otto" in header


@responses.activate
def test_triggered_by_names_the_operator_who_started_the_run_from_the_portal(operator_client, telnyx_base, operator, test_json, run_json):
    test_services.test_cache_put(test_json(1))
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-0001/runs", json=run_json("run-5", triggered_by="api"))
    operator_client.post(reverse("testing:test-run", args=["test-0001"]), {"idempotency_key": "portal-k"})
    # A sync replaces the cached run with Telnyx's copy: who started it is kept on our side.
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-0001/runs",
                  json={"data": [run_json("run-5", "test-0001", "passed", triggered_by="api")], "meta": {"total_pages": 1}})
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-0001", json=test_json(1))
    history = operator_client.get(reverse("testing:test-detail", args=["test-0001"])).content.decode()
    assert f"<td>{operator.username}</td>" in history
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-0001/runs/run-5", json=run_json("run-5", "test-0001", "passed"))
    responses.get(f"{telnyx_base}/ai/conversations/conv-1/messages", json={"data": [], "meta": {"total_pages": 1}})
    detail = operator_client.get(reverse("testing:run-detail", args=["test-0001", "run-5"])).content.decode()
    cell = detail[detail.index('data-testid="triggered-by"'):]
    assert cell[:cell.index("</dd>")].count(operator.username) == 1


@responses.activate
def test_live_page_shows_running_tests_elapsed_time_run_again_and_back_to_suite(operator_client, viewer_client, telnyx_base, operator, test_json, run_json):
    for n in (1, 2, 3):
        test_services.test_cache_put(test_json(n, test_suite="booking", destination=DESTINATION))
    cache_assistant(DESTINATION, "Acme Support", {"ver-a": "Spring release"})
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs",
                   json=[run_json(f"r{n}", f"test-000{n}", test_suite_run_id="b5") for n in (1, 2, 3)])
    batch = suite_run_trigger(user=operator, suite_name="booking", version_id="ver-a", idempotency_key="k1")
    SuiteRun.objects.filter(pk=batch.pk).update(started_at=timezone.now() - timezone.timedelta(seconds=75))
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs", json={"data": [
        run_json("r1", "test-0001", "passed", test_suite_run_id="b5"), run_json("r2", "test-0002", "running", test_suite_run_id="b5"),
        run_json("r3", "test-0003", "running", test_suite_run_id="b5")], "meta": {"total_pages": 1}})
    status = viewer_client.get(reverse("testing:suite-run-status", args=["booking", "b5"]), headers={"HX-Request": "true"}).content.decode()
    assert "1 of 3 finished" in status and "2 running" in status
    running = status[status.index('data-testid="progress-running"'):]
    assert 'data-width="67"' in running[:120]
    assert "minute ago" in status[status.index("Started"):][:60] and "elapsed 1m 15s" in status

    page = operator_client.get(reverse("testing:suite-run-detail", args=["booking", "b5"])).content.decode()
    assert f'href="{reverse("testing:suite-detail", args=["booking"])}"' in page and "Back to suite" in page
    again = page[page.index(f'action="{reverse("testing:suite-run-trigger", args=["booking"])}"'):]
    again = again[:again.index("</form>")]
    assert 'name="version" value="ver-a"' in again and 'name="idempotency_key"' in again and "Run again" in again
    assert 'value="k1"' not in again  # a fresh key: Run again starts a new batch
    viewer_page = viewer_client.get(reverse("testing:suite-run-detail", args=["booking", "b5"])).content.decode()
    assert 'data-testid="run-again"' not in viewer_page and 'data-testid="back-to-suite"' in viewer_page


@responses.activate
def test_suites_list_and_suite_page_show_the_same_pass_rate(viewer_client, telnyx_base, test_json):
    for n in (1, 2, 3):
        test_services.test_cache_put(test_json(n, test_suite="booking", destination=DESTINATION))
    SyncState.objects.create(resource="test-suites", synced_at=timezone.now())
    make_batch(1, passed=3, days_ago=2)
    make_batch(2, passed=1, failed=2, days_ago=1)
    # A single run of one test is not a suite run: neither page counts it.
    TestRun.objects.create(telnyx_id="single", test_id="test-0001", status="failed", created_at=timezone.now(),
                           synced_at=timezone.now(), payload={})
    listing = viewer_client.get(reverse("testing:suite-list")).content.decode()
    mock_history(telnyx_base)
    page = viewer_client.get(reverse("testing:suite-detail", args=["booking"])).content.decode()
    assert "67%" in listing[listing.index(">booking<"):]
    assert '<strong data-testid="suite-pass-rate">67%</strong>' in page


@responses.activate
def test_a_run_started_outside_the_portal_says_so_instead_of_a_bare_api(viewer_client, telnyx_base, test_json, run_json):
    test_services.test_cache_put(test_json(1))
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-0001/runs/run-9", json=run_json("run-9", "test-0001", "passed", triggered_by="api"))
    responses.get(f"{telnyx_base}/ai/conversations/conv-1/messages", json={"data": [], "meta": {"total_pages": 1}})
    detail = viewer_client.get(reverse("testing:run-detail", args=["test-0001", "run-9"])).content.decode()
    cell = detail[detail.index('data-testid="triggered-by"'):]
    assert cell[:cell.index("</dd>")].endswith("the API, outside this portal")


def test_a_finished_run_says_when_it_started_by_the_clock_as_its_page_no_longer_polls(viewer_client):
    batch = make_batch(7, passed=2, days_ago=0.01)
    SuiteRun.objects.filter(pk=batch.pk).update(status="passed")
    batch.refresh_from_db()
    page = viewer_client.get(reverse("testing:suite-run-detail", args=["booking", batch.batch_id])).content.decode()
    timing = page[page.index('data-testid="timing"'):]
    timing = timing[:timing.index("</div>")]
    # The one date format: day, month, year and time in the reader's zone (UTC on hover).
    assert "Started <time" in timing and "ago" not in timing
    assert f"{timezone.localtime(batch.started_at):%-d %b %Y, %H:%M}" in timing
