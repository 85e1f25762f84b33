"""Compare two runs: each outcome per test and per criterion, regressions first, trials as
rates, and the pages that lead there (suite run, test run, version page, gate)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from testing.compare import IMPROVED, ONLY_LEFT, ONLY_RIGHT, REGRESSED, UNCHANGED, compare_runs
from testing.models import SuiteRun, TestRun
from testing.services import assistant_tests as test_services

pytestmark = pytest.mark.django_db


def run(run_id, test_id, status, criteria=None, *, minutes=0, batch="", **payload):
    """A cached TestRun; `criteria` is {name: status}."""
    at = timezone.now() - timedelta(hours=1) + timedelta(minutes=minutes)
    detail = [{"name": n, "status": s} for n, s in (criteria or {}).items()]
    return TestRun.objects.create(telnyx_id=run_id, test_id=test_id, status=status, suite_run_id=batch, created_at=at,
                                  completed_at=at, synced_at=at,
                                  payload={"run_id": run_id, "test_id": test_id, "status": status,
                                           "detail_status": detail, **payload})


def batch(batch_id, runs, *, version="", minutes=0, username="otto"):
    return SuiteRun.objects.create(batch_id=batch_id, suite="booking", version_id=version, username=username,
                                   run_ids=[r.telnyx_id for r in runs], status="failed",
                                   started_at=timezone.now() - timedelta(hours=1) + timedelta(minutes=minutes),
                                   total=len(runs), passed=sum(r.status == "passed" for r in runs),
                                   failed=sum(r.status == "failed" for r in runs))


def test_each_outcome_per_test_with_regressions_first():
    before = [run("a1", "t-up", "failed"), run("a2", "t-down", "passed"), run("a3", "t-same", "passed"),
              run("a4", "t-gone", "passed")]
    after = [run("b1", "t-up", "passed"), run("b2", "t-down", "failed"), run("b3", "t-same", "passed"),
             run("b5", "t-new", "failed")]
    rows = compare_runs(before, after, {}).rows
    assert [(r.test_id, r.outcome) for r in rows] == [
        ("t-down", REGRESSED), ("t-up", IMPROVED), ("t-gone", ONLY_LEFT), ("t-new", ONLY_RIGHT), ("t-same", UNCHANGED)]


def test_each_outcome_per_criterion():
    before = [run("a1", "t", "failed", {"greets": "passed", "books": "failed", "polite": "passed"})]
    after = [run("b1", "t", "failed", {"greets": "failed", "books": "passed", "polite": "passed"})]
    row = compare_runs(before, after, {"t": "Booking"}).rows[0]
    assert row.outcome == UNCHANGED and row.name == "Booking"  # failed on both sides, for different reasons
    assert [(c.name, c.outcome) for c in row.criteria] == [("greets", REGRESSED), ("books", IMPROVED), ("polite", UNCHANGED)]


def test_trials_compare_pass_rates_and_unfinished_runs_are_left_out():
    before = [run("a1", "t", "passed"), run("a2", "t", "failed"), run("a3", "t", "failed"), run("a4", "t", "running")]
    after = [run("b1", "t", "passed"), run("b2", "t", "passed"), run("b3", "t", "failed")]
    row = compare_runs(before, after, {}).rows[0]
    assert (row.left.passed, row.left.total, row.right.passed, row.right.total) == (1, 3, 2, 3)
    assert row.outcome == IMPROVED and row.trials
    assert row.left_run.telnyx_id == "a2"  # the side shows a failed trial: that is the story


@pytest.fixture
def tests_cached(test_json):
    test_services.test_cache_put(test_json(1, test_id="t1", name="Greets"))
    test_services.test_cache_put(test_json(2, test_id="t2", name="Books"))


def test_suite_run_compared_with_main_shows_regressions_first(viewer_client, tests_cached):
    main = batch("main-1", [run("m1", "t1", "passed"), run("m2", "t2", "failed")], minutes=0)
    batch("v-1", [run("v1", "t1", "failed"), run("v2", "t2", "passed")], version="ver-7", minutes=10)
    page = viewer_client.get(reverse("testing:run-compare") + "?b=v-1").content.decode()
    assert "1 regressed" in page and "1 improved" in page
    assert page.index('data-outcome="regressed"') < page.index('data-outcome="improved"')
    assert page.index("Greets") < page.index("Books", page.index("compare-rows"))
    assert reverse("testing:suite-run-detail", args=["booking", main.batch_id]) in page


def test_version_vs_main_picks_the_newest_run_on_each(viewer_client, tests_cached):
    batch("main-1", [run("m1", "t1", "failed")], minutes=0)
    batch("main-2", [run("m2", "t1", "passed")], minutes=5)
    batch("v-1", [run("v1", "t1", "passed")], version="ver-7", minutes=10)
    batch("outside", [run("o1", "t1", "failed")], minutes=20, username="")  # version unknown: never "main"
    page = viewer_client.get(reverse("testing:run-compare") + "?suite=booking&version=ver-7").content.decode()
    assert "0 regressed" in page and "1 unchanged" in page  # main-2 passed too
    assert viewer_client.get(reverse("testing:run-compare") + "?suite=booking&version=ver-x").status_code == 404


def test_compare_with_previous_and_with_nothing_before(viewer_client, tests_cached):
    batch("first", [run("f1", "t1", "passed")], minutes=0)
    batch("second", [run("s1", "t1", "failed")], minutes=5)
    page = viewer_client.get(reverse("testing:run-compare") + "?b=second&vs=previous").content.decode()
    assert "1 regressed" in page
    page = viewer_client.get(reverse("testing:run-compare") + "?b=first&vs=previous").content.decode()
    assert 'data-testid="no-left"' in page and "1 only after" in page


def test_failed_run_page_offers_rerun_compare_and_its_suite_run(operator_client, telnyx_base, tests_cached, run_json):
    batch("main-1", [run("m1", "t1", "passed")], minutes=0)
    failed = run("v1", "t1", "failed", batch="v-1", minutes=5)
    batch("v-1", [failed], version="ver-7", minutes=5)
    with responses.RequestsMock() as mocked:
        mocked.get(f"{telnyx_base}/ai/assistants/tests/t1/runs/v1",
                   json={"data": run_json("v1", "t1", "failed", test_suite_run_id="v-1")})
        page = operator_client.get(reverse("testing:run-detail", args=["t1", "v1"])).content.decode()
    for testid in ("re-run", "run-compare-previous", "run-compare-main", "to-suite-run"):
        assert f'data-testid="{testid}"' in page
    compared = operator_client.get(reverse("testing:run-compare") + "?run_b=v1").content.decode()
    assert "1 regressed" in compared and reverse("testing:run-detail", args=["t1", "m1"]) in compared


def test_transcripts_side_by_side_with_the_graders_reasoning(viewer_client, telnyx_base, tests_cached):
    run("a1", "t1", "passed", {"greets": "passed"}, conversation_id="conv-a")
    run("b1", "t1", "failed", {"greets": "failed"}, conversation_id="conv-b",
        logs="user: hi\nrubric greets: failed")
    TestRun.objects.filter(telnyx_id="b1").update(payload={
        **TestRun.objects.get(telnyx_id="b1").payload,
        "detail_status": [{"name": "greets", "status": "failed", "reasoning": "Never said hello."}]})
    with responses.RequestsMock() as mocked:
        for conv, text in (("conv-a", "Hello Ada!"), ("conv-b", "What do you want?")):
            mocked.get(f"{telnyx_base}/ai/conversations/{conv}/messages",
                       json={"data": [{"role": "assistant", "text": text, "created_at": "2026-11-23T10:00:00Z"}],
                             "meta": {"page_number": 1, "total_pages": 1}})
        page = viewer_client.get(reverse("testing:compare-transcripts") + "?run_a=a1&run_b=b1",
                                 HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in page
    assert page.index("Hello Ada!") < page.index("What do you want?")
    assert "Never said hello." in page


def test_suite_run_and_version_pages_link_to_the_comparison(viewer_client, tests_cached):
    b = batch("v-1", [run("v1", "t1", "failed")], version="ver-7")
    b.status = "failed"
    b.save()
    page = viewer_client.get(reverse("testing:suite-run-detail", args=["booking", "v-1"])).content.decode()
    assert f'{reverse("testing:run-compare")}?b=v-1&amp;vs=previous' in page
    assert f'{reverse("testing:run-compare")}?b=v-1"' in page


def test_a_plans_test_gate_links_each_finished_suite_run_to_its_comparison():
    from django.template.loader import render_to_string

    from releases.models import GateResult

    gate = GateResult(kind="tests", verdict=GateResult.Verdict.values[0], summary="1 of 2 passed", evaluated_at=timezone.now(),
                      details={"suites": [{"suite": "booking", "passed": 1, "finished": 2, "total": 2, "status": "failed",
                                           "batch_id": "v-1"},
                                          {"suite": "sales", "passed": 0, "finished": 0, "total": 2, "status": "running",
                                           "batch_id": "v-2"}]})
    html = render_to_string("releases/_gate_result.html", {"g": gate})
    assert f'{reverse("testing:run-compare")}?b=v-1"' in html and "?b=v-2" not in html
