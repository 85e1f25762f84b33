"""Suite pages: overview, Run suite, the live page, history with filters, pass rates and the trend chart."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from assistants.models import AssistantVersion
from portal.models import SyncState
from testing.models import SuiteRun, TestRun, TestSuite
from testing.services import assistant_tests as test_services
from testing.tasks import track_suite_run

pytestmark = pytest.mark.django_db


@contextmanager
def queued_on_a_worker():
    """Tasks sent to a worker rather than run inline: yields the mock that queues a follow-up."""
    with mock.patch("testing.tasks.eager", return_value=False), mock.patch("testing.tasks.follow") as follow:
        yield follow

DESTINATION = "assistant-00000001-0000-4000-8000-000000000000"


@pytest.fixture
def suite(test_json):
    """Suite "booking" with three cached tests, freshly synced."""
    for n in (1, 2, 3):
        test_services.test_cache_put(test_json(n, test_suite="booking", destination=DESTINATION))
    test_services.test_cache_put(test_json(4, test_suite="sales"))
    now = timezone.now()
    TestSuite.objects.create(telnyx_id="booking", name="booking", synced_at=now)
    TestSuite.objects.create(telnyx_id="sales", name="sales", synced_at=now)
    SyncState.objects.create(resource="test-suites", synced_at=now)
    SyncState.objects.create(resource="assistant-tests", synced_at=now)


def make_batch(n: int, *, passed: int, failed: int = 0, errored: int = 0, version: str = "", days_ago: float = 0, suite: str = "booking"):
    statuses = ["passed"] * passed + ["failed"] * failed + ["error"] * errored
    started = timezone.now() - timedelta(days=days_ago)
    ids = []
    for i, status in enumerate(statuses):
        TestRun.objects.create(telnyx_id=f"b{n}-r{i}", test_id=f"test-{i + 1:04d}", status=status, suite_run_id=f"batch-{n}",
                               created_at=started, completed_at=started + timedelta(seconds=30), synced_at=started,
                               payload={"run_id": f"b{n}-r{i}", "status": status})
        ids.append(f"b{n}-r{i}")
    from testing.services.suites import summarize

    return summarize(SuiteRun(batch_id=f"batch-{n}", suite=suite, version_id=version, run_ids=ids, started_at=started, username="otto"))


def mock_history(telnyx_base, suite_name="booking", runs=()):
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-suites/{suite_name}/runs",
                  json={"data": list(runs), "meta": {"page_number": 1, "total_pages": 1}})


def mock_versions(telnyx_base, versions=("ver-a", "ver-b"), assistant=DESTINATION, name="Acme Support"):
    """The versions sync behind the Run suite form reads the assistant (for main) and its versions."""
    responses.get(f"{telnyx_base}/ai/assistants/{assistant}", json={"id": assistant, "name": name, "version_id": versions[0]})
    responses.get(f"{telnyx_base}/ai/assistants/{assistant}/versions",
                  json={"data": [{"id": assistant, "version_id": v, "version_name": f"Release {v}"} for v in versions]})


@responses.activate
def test_suites_page_lists_counts_last_result_and_pass_rate(viewer_client, suite):
    make_batch(1, passed=3, days_ago=2)
    make_batch(2, passed=1, failed=2, days_ago=1)
    content = viewer_client.get(reverse("testing:suite-list")).content.decode()
    booking = content[content.index(">booking<"):content.index(">sales<")]
    assert ">3<" in booking  # three tests
    assert 'data-status="failed"' in booking and "1/3 passed" in booking  # the latest run
    assert "67%" in booking  # 4 of 6 test runs passed over the last runs
    assert len(responses.calls) == 0


@responses.activate
def test_suites_refresh_reads_tests_and_suite_names(viewer_client, telnyx_base, test_json):
    responses.get(f"{telnyx_base}/ai/assistants/tests", json={"data": [test_json(1, test_suite="onboarding")], "meta": {"page_number": 1, "total_pages": 1}})
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-suites", json={"data": ["onboarding"]})
    response = viewer_client.post(reverse("testing:suite-refresh"), headers={"HX-Request": "true"})
    assert b"onboarding" in response.content and b"<html" not in response.content


@responses.activate
def test_suite_page_offers_versions_to_operators_only(operator_client, viewer_client, telnyx_base, suite):
    mock_history(telnyx_base)
    mock_versions(telnyx_base)
    content = operator_client.get(reverse("testing:suite-detail", args=["booking"])).content.decode()
    assert "Run suite" in content and "Release ver-a" in content and "Main version" in content
    viewer_page = viewer_client.get(reverse("testing:suite-detail", args=["booking"])).content.decode()
    assert 'data-testid="run-suite"' not in viewer_page


@responses.activate
def test_suite_page_still_runs_on_main_when_versions_cannot_load(operator_client, telnyx_base, suite):
    mock_history(telnyx_base)
    responses.get(f"{telnyx_base}/ai/assistants/{DESTINATION}", status=503)
    content = operator_client.get(reverse("testing:suite-detail", args=["booking"])).content.decode()
    assert "Versions could not be loaded" in content and 'data-testid="run-suite"' in content


@responses.activate
def test_run_suite_lands_on_the_live_page(operator_client, telnyx_base, suite, run_json):
    mock_versions(telnyx_base)
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs",
                   json=[run_json(f"r{i}", f"test-000{i}", test_suite_run_id="batch-x") for i in (1, 2, 3)])
    with queued_on_a_worker() as follow:
        response = operator_client.post(reverse("testing:suite-run-trigger", args=["booking"]),
                                        {"version": "ver-b", "idempotency_key": "portal-suite-1"})
    assert response.status_code == 302 and response.url == reverse("testing:suite-run-detail", args=["booking", "batch-x"])
    assert responses.calls[-1].request.body == b'{"destination_version_id": "ver-b"}'
    # Followed on the worker from now on, page open or not (not only from the next sweep).
    follow.assert_called_once_with(track_suite_run, SuiteRun.objects.get(batch_id="batch-x").pk)
    live = operator_client.get(response.url).content.decode()
    assert "0 of 3 finished" in live and 'hx-trigger="every 2s"' in live and "Booking test 2" in live
    assert "ver-b" in live


@responses.activate
def test_run_suite_failure_keeps_the_key_and_starts_nothing(operator_client, telnyx_base, suite):
    mock_versions(telnyx_base)
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs", status=500)
    response = operator_client.post(reverse("testing:suite-run-trigger", args=["booking"]), {"idempotency_key": "portal-suite-2"})
    content = response.content.decode()
    assert response.status_code == 200 and "The suite did not start." in content and "server error (500)" in content
    assert 'value="portal-suite-2"' in content
    assert not SuiteRun.objects.exists()


@responses.activate
def test_live_status_updates_then_stops_polling_with_a_summary(viewer_client, telnyx_base, operator, suite, run_json):
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs",
                   json=[run_json("r1", "test-0001", test_suite_run_id="b9"), run_json("r2", "test-0002", test_suite_run_id="b9")])
    from testing.services.suites import suite_run_trigger

    suite_run_trigger(user=operator, suite_name="booking", idempotency_key="k")
    status_url = reverse("testing:suite-run-status", args=["booking", "b9"])
    history = f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs"
    responses.get(history, json={"data": [run_json("r1", "test-0001", "passed", test_suite_run_id="b9"),
                                          run_json("r2", "test-0002", "running", test_suite_run_id="b9")], "meta": {"page_number": 1, "total_pages": 1}})
    halfway = viewer_client.get(status_url, headers={"HX-Request": "true"})
    assert halfway.status_code == 200 and b"1 of 2 finished" in halfway.content and b"<html" not in halfway.content

    responses.replace(
        responses.GET,
        history,
        json={
            "data": [
                run_json("r1", "test-0001", "passed", test_suite_run_id="b9"),
                run_json("r2", "test-0002", "error", test_suite_run_id="b9"),
            ],
            "meta": {"page_number": 1, "total_pages": 1},
        },
    )
    done = viewer_client.get(status_url, headers={"HX-Request": "true"})
    content = done.content.decode()
    assert done.status_code == 286 and "2 of 2 finished" in content and "1 passed · 0 failed · 1 errored" in content
    assert "every 2s" not in content
    # Coming back later shows the same final state, from the cache.
    again = viewer_client.get(reverse("testing:suite-run-detail", args=["booking", "b9"])).content.decode()
    assert "2 of 2 finished" in again and "1 errored" in again


@responses.activate
def test_live_status_survives_telnyx_failing_mid_poll(viewer_client, telnyx_base, operator, suite, run_json):
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs", json=[run_json("r1", "test-0001", test_suite_run_id="b7")])
    from testing.services.suites import suite_run_trigger

    suite_run_trigger(user=operator, suite_name="booking", idempotency_key="k")
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs", status=503)
    response = viewer_client.get(reverse("testing:suite-run-status", args=["booking", "b7"]), headers={"HX-Request": "true"})
    content = response.content.decode()
    assert response.status_code == 200 and "Could not update from Telnyx just now; retrying." in content
    assert "0 of 1 finished" in content and 'hx-trigger="every 2s"' in content
    assert TestRun.objects.get(telnyx_id="r1").status == "pending"


def test_unknown_batch_is_a_404(viewer_client):
    assert viewer_client.get(reverse("testing:suite-run-detail", args=["booking", "nope"])).status_code == 404


@responses.activate
def test_history_filters_by_status_version_and_date(viewer_client, telnyx_base, suite):
    mock_history(telnyx_base)
    make_batch(1, passed=3, version="ver-a", days_ago=10)
    make_batch(2, passed=2, failed=1, version="ver-b", days_ago=5)
    make_batch(3, passed=3, days_ago=1)
    url = reverse("testing:suite-detail", args=["booking"])
    failed = viewer_client.get(url, {"status": "failed"}).content.decode()
    assert "1 result" in failed and "ver-b" in failed
    by_version = viewer_client.get(url, {"version": "ver-a"}).content.decode()
    assert "1 result" in by_version
    main = viewer_client.get(url, {"version": "main"}).content.decode()
    assert "1 result" in main
    since = (timezone.now() - timedelta(days=6)).date().isoformat()
    recent = viewer_client.get(url, {"since": since}).content.decode()
    assert "2 results" in recent


@responses.activate
def test_history_shows_pass_rate_per_version_and_a_trend_chart(viewer_client, telnyx_base, suite):
    mock_history(telnyx_base)
    make_batch(1, passed=1, failed=1, version="ver-a", days_ago=3)
    make_batch(2, passed=2, version="ver-a", days_ago=2)
    make_batch(3, passed=1, failed=3, days_ago=1)
    content = viewer_client.get(reverse("testing:suite-detail", args=["booking"])).content.decode()
    table = content[content.index('data-testid="by-version"'):]
    assert "ver-a" in table and "75%" in table and "25%" in table
    chart = content[content.index('data-testid="trend-chart"'):content.index("</svg>")]
    assert chart.count("<circle") == 3 and "<polyline" in chart
    assert "50% on" in chart and "1/2 passed on version ver-a" in chart and "2/2 passed" in chart and "1/4 passed on main" in chart
    caption = content[content.index("<figcaption"):content.index("</figcaption>")]
    assert "3 points" in caption and "latest 25%" in caption
    assert "Show the data as a table" in content


@responses.activate
def test_history_picks_up_runs_started_outside_the_portal(viewer_client, telnyx_base, suite, run_json):
    mock_history(telnyx_base, runs=[run_json("x1", "test-0001", "passed", test_suite_run_id="api-batch")])
    content = viewer_client.get(reverse("testing:suite-detail", args=["booking"])).content.decode()
    assert "outside the portal" in content and SuiteRun.objects.filter(batch_id="api-batch").exists()


@responses.activate
def test_history_refresh_failure_keeps_cached_history(viewer_client, telnyx_base, suite):
    make_batch(1, passed=3)
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs", status=503)
    content = viewer_client.get(reverse("testing:suite-detail", args=["booking"])).content.decode()
    assert "Could not refresh the run history" in content and "3/3" in content


@responses.activate
def test_run_detail_names_the_version_the_suite_ran_against(viewer_client, telnyx_base, operator, suite, run_json):
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs", json=[run_json("r1", "test-0001", test_suite_run_id="b5")])
    from testing.services.suites import suite_run_trigger

    suite_run_trigger(user=operator, suite_name="booking", idempotency_key="k", version_id="ver-42")
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-0001/runs/r1", json=run_json("r1", "test-0001", "passed", test_suite_run_id="b5"))
    content = viewer_client.get(reverse("testing:run-detail", args=["test-0001", "r1"])).content.decode()
    version = content[content.index('data-testid="version-tested"'):]
    assert "ver-42" in version[:400]
    assert "it gave no reasoning for this run" in content


@responses.activate
def test_suite_names_with_slashes_and_spaces_work_end_to_end(operator_client, telnyx_base, test_json, run_json):
    test_services.test_cache_put(test_json(1, test_suite="billing/EU flows"))
    name = "billing/EU flows"
    mock_history(telnyx_base, suite_name="billing%2FEU%20flows")
    overview = operator_client.get(reverse("testing:suite-list")).content.decode()
    assert reverse("testing:suite-detail", args=[name]) in overview
    assert operator_client.get(reverse("testing:suite-detail", args=[name])).status_code == 200
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-suites/billing%2FEU%20flows/runs", json=[run_json("r1", test_suite_run_id="b3")])
    response = operator_client.post(reverse("testing:suite-run-trigger", args=[name]), {"idempotency_key": "k"})
    assert response.url == reverse("testing:suite-run-detail", args=[name, "b3"])
    assert b"billing/EU flows" in operator_client.get(response.url).content


@responses.activate
def test_suites_refresh_brings_in_single_test_runs_as_the_last_run(viewer_client, telnyx_base, test_json, run_json):
    responses.get(f"{telnyx_base}/ai/assistants/tests", json={"data": [test_json(1, test_suite="support")], "meta": {"page_number": 1, "total_pages": 1}})
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-suites", json={"data": ["support"]})
    mock_history(telnyx_base, "support", runs=[run_json("r1", "test-0001", "failed", triggered_by="scheduled"),
                                               run_json("r0", "test-0001", "passed", created_at="2026-11-20T10:00:00Z")])
    content = viewer_client.post(reverse("testing:suite-refresh"), headers={"HX-Request": "true"}).content.decode()
    row = content[content.index(">support<"):]
    assert "single test" in row and 'data-status="failed"' in row
    # The pass rate counts suite runs only, as the suite's own page does: single runs are not a suite run.
    assert "50%" not in row
    assert reverse("testing:run-detail", args=["test-0001", "r1"]) in row
    detail = viewer_client.get(reverse("testing:suite-detail", args=["support"])).content.decode()
    assert ">—</strong>" in detail[detail.index('data-testid="suite-pass-rate"'):]
    recent = detail[detail.index('data-testid="recent-runs"'):]
    assert "Booking test 1" in recent and "scheduled" in recent


def test_an_unnamed_version_is_called_by_when_it_was_saved_never_by_its_uuid():
    from testing.selectors import version_names

    uuid = "3f9a1c2e-0000-4000-8000-00000000abcd"
    AssistantVersion.objects.create(telnyx_id=f"a1:{uuid}", assistant_id="a1", version_id=uuid, name="",
                                    created_at=timezone.make_aware(datetime(2026, 11, 20, 14, 3)), synced_at=timezone.now())
    names = version_names([uuid, "9b9b9b9b-1111-4000-8000-000000000000"])
    assert names[uuid] == "version of 20 Nov, 14:03"
    assert names["9b9b9b9b-1111-4000-8000-000000000000"] == "version 9b9b9b9b"


# --- A suite page opened from a bookmark, before the cache lists any suite ----------------------
def mock_suite_names(telnyx_base, names=(), status=200):
    responses.get(f"{telnyx_base}/ai/assistants/tests/test-suites", json={"data": list(names)}, status=status)


@responses.activate
def test_a_suite_telnyx_knows_runs_from_a_fresh_cache(operator_client, telnyx_base, run_json):
    mock_suite_names(telnyx_base, ["bookmarked"])
    responses.post(f"{telnyx_base}/ai/assistants/tests/test-suites/bookmarked/runs",
                   json=[run_json("r1", "test-0001", test_suite_run_id="batch-b")])
    with queued_on_a_worker():
        response = operator_client.post(reverse("testing:suite-run-trigger", args=["bookmarked"]), {"idempotency_key": "k-b"})
    assert response.status_code == 302 and response.url == reverse("testing:suite-run-detail", args=["bookmarked", "batch-b"])
    assert SuiteRun.objects.get().suite == "bookmarked"
    assert TestSuite.objects.filter(name="bookmarked").exists()  # the suite list was read into the cache


@responses.activate
def test_a_suite_telnyx_does_not_know_gets_a_message_and_no_run(operator_client, telnyx_base):
    mock_suite_names(telnyx_base, ["smoke"])
    response = operator_client.post(reverse("testing:suite-run-trigger", args=["gone"]), {"idempotency_key": "k-g"}, follow=True)
    content = response.content.decode()
    assert response.status_code == 200 and response.redirect_chain[-1][0] == reverse("testing:suite-list")
    assert "Telnyx has no test suite named “gone”, so nothing was started." in content
    assert ">smoke<" in content  # the suites it does have
    assert not SuiteRun.objects.exists() and all(c.request.method == "GET" for c in responses.calls)


@responses.activate
def test_when_telnyx_cannot_say_whether_the_suite_exists_nothing_starts(operator_client, telnyx_base):
    mock_suite_names(telnyx_base, status=503)
    response = operator_client.post(reverse("testing:suite-run-trigger", args=["bookmarked"]), {"idempotency_key": "k-u"})
    assert response.status_code == 302 and response.url == reverse("testing:suite-detail", args=["bookmarked"])
    from django.contrib.messages import get_messages

    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("Could not check the suite “bookmarked” with Telnyx, so nothing was started.") and "503" in message
    assert not SuiteRun.objects.exists() and all(c.request.method == "GET" for c in responses.calls)


@responses.activate
def test_the_suite_page_syncs_its_run_history_on_the_worker_not_in_the_request(viewer_client, telnyx_base, suite,
                                                                              monkeypatch):
    """A page view asks Telnyx nothing: the stale history's sync is queued, and the page says it is syncing."""
    from core import background
    from core.tasks import sync_listing

    queued = []
    monkeypatch.setattr(background, "eager", lambda: False)
    monkeypatch.setattr(sync_listing, "apply_async", lambda args=None, **_: queued.append(args))
    page = viewer_client.get(reverse("testing:suite-detail", args=["booking"])).content.decode()
    assert queued == [["suite-history:booking"]]
    assert len(responses.calls) == 0
    assert 'data-testid="listing-syncing"' in page


@responses.activate
def test_a_batch_id_that_cannot_be_a_telnyx_id_is_never_sent_to_telnyx(telnyx_base, suite, run_json):
    """Such an id can only come from a stored row (the URL converter refuses it); its runs are read one by one."""
    from testing.services.suites import suite_run_refresh

    odd = "b 1/../x?y"
    TestRun.objects.create(telnyx_id="r1", test_id="test-0001", status="running", suite_run_id=odd, payload={},
                           created_at=timezone.now(), synced_at=timezone.now())
    run = SuiteRun.objects.create(batch_id=odd, suite="booking", run_ids=["r1"], started_at=timezone.now())
    one = responses.get(f"{telnyx_base}/ai/assistants/tests/test-0001/runs/r1", json=run_json("r1", "test-0001", "passed"))
    assert suite_run_refresh(run) is None
    assert one.call_count == 1 and len(responses.calls) == 1
    assert TestRun.objects.get(telnyx_id="r1").status == "passed"
