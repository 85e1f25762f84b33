"""Suites as evidence: a suite belongs to every assistant its tests call and counts only that
assistant's tests; trials per test; the Wilson interval; the suite gate's lower bound; the
promotion gate's release suites. Telnyx mocked (`responses`)."""

from __future__ import annotations

import json
import random

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from releases.models import GateResult, ReleasePolicy, RolloutPlan
from releases.services import plans, suite_gate
from releases.services.promotion import promotion_check
from releases.services.suite_gate import suite_verdict
from testing.evidence import batch_evidence, wilson_interval
from testing.hooks import version_panel
from testing.models import AssistantTest, RunTrigger, SuiteRun, TestRun
from testing.services.suites import suite_run_trigger

from .conftest import AID, pct

pytestmark = pytest.mark.django_db
OTHER = "assistant-00000002-0000-4000-8000-000000000000"


def _test(test_id, suite="shared", destination=AID, name=None):
    return AssistantTest.objects.get_or_create(telnyx_id=test_id, defaults={
        "name": name or test_id, "destination": destination, "test_suite": suite, "synced_at": timezone.now()})[0]


def _batch(batch_id, suite, results: dict[str, list[str]], *, version="", versions=None, at=0):
    """A finished batch: {test id: [status of trial 1, trial 2, ...]}."""
    now = timezone.now()
    run_ids = []
    trials = max(len(v) for v in results.values())
    batch = SuiteRun.objects.create(batch_id=batch_id, suite=suite, version_id=version, versions=versions or {},
                                    run_ids=[], started_at=now + timezone.timedelta(seconds=at), status="passed",
                                    trials=trials)
    for test_id, statuses in results.items():
        for trial, status in enumerate(statuses, start=1):
            run_id = f"{batch_id}-{test_id}-{trial}"
            TestRun.objects.create(telnyx_id=run_id, test_id=test_id, status=status, synced_at=now)
            RunTrigger.objects.create(run_id=run_id, username="x", started_at=now, suite_run=batch, trial=trial)
            run_ids.append(run_id)
    batch.run_ids = run_ids
    batch.save()
    return batch


def test_wilson_interval_matches_newcombes_published_values():
    # Newcombe (1998), Statistics in Medicine 17:857-872, table I, method 3 (Wilson score).
    for passed, n, low, high in [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611),
                                 (1, 29, 0.0061, 0.1718), (29, 29, 0.8830, 1.0)]:
        assert wilson_interval(passed, n) == (pytest.approx(low, abs=5e-5), pytest.approx(high, abs=5e-5))


def test_the_suite_gate_passes_a_suite_worse_than_the_threshold_rarely():
    """Through the gate's own decision: a true pass rate at the threshold (70%) passes at most
    ~2.5% of the time (the Wilson bound's one-sided miss), one clearly above it nearly always."""
    rng, rounds = random.Random(17), 4000

    def pass_rate(true_rate: float, n: int = 60) -> float:
        passes = sum(suite_verdict(sum(rng.random() < true_rate for _ in range(n)), n, 0.7)[0] == "pass"
                     for _ in range(rounds))
        return passes / rounds

    assert pass_rate(0.7) <= 0.035
    assert pass_rate(0.95) >= 0.99


def test_a_suite_belongs_to_every_assistant_its_tests_call(db, rf):
    _test("t-a", destination=AID)
    _test("t-b", destination=OTHER)
    assert version_panel(rf.get("/"), OTHER, version_id="v")["suites"] == ["shared"]
    assert version_panel(rf.get("/"), AID, version_id="v")["suites"] == ["shared"]


def test_the_suite_gate_counts_only_this_assistants_tests_and_judges_the_lower_bound(api, make_plan):
    _test("t-a", name="books a table")
    _test("t-b", destination=OTHER, name="other assistant's test")
    plan = make_plan(pct(10, gate_tests=True), suite_threshold=0.6)
    batch = _batch("b1", "shared", {"t-a": ["passed"] * 10, "t-b": ["failed"] * 10},
                   versions={AID: "v-cand"})
    plan.suite_batches = {"shared": batch.batch_id}
    plan.save()
    result = suite_gate.tests_gate(plan, plan.steps.get())
    assert result.verdict == GateResult.Verdict.PASS  # 10/10 of its own; the other assistant's failures ignored
    assert "10 of 10 runs of this assistant's tests passed" in result.summary and "interval 72%–100%" in result.summary

    plan.suite_threshold = 0.8  # 10 of 10 proves only about 72%
    result = suite_gate.tests_gate(plan, plan.steps.get())
    assert result.verdict == GateResult.Verdict.FAIL


def test_the_suite_gate_names_the_failed_tests_and_links_their_runs(api, make_plan):
    _test("t-a", name="books a table")
    _test("t-c", name="greets")
    plan = make_plan(pct(10, gate_tests=True), suite_threshold=0.5)
    batch = _batch("b1", "shared", {"t-a": ["passed", "failed", "passed"], "t-c": ["passed"] * 3},
                   versions={AID: "v-cand"})
    plan.suite_batches = {"shared": batch.batch_id}
    plan.save()
    result = suite_gate.tests_gate(plan, plan.steps.get())
    assert result.verdict == GateResult.Verdict.FAIL and "Failed: books a table." in result.summary
    failed = result.details["failed"]
    assert failed == [{"test": "books a table", "test_id": "t-a", "suite": "shared", "flaky": True, "runs": [
        {"trial": 2, "status": "failed", "url": reverse("testing:run-detail", args=["t-a", "b1-t-a-2"])}]}]


def test_an_unticked_suite_gate_neither_runs_nor_shows(api, team_admin, team_admin_client):
    _test("t-a")
    api.put(api.canary, json={"assistant_id": AID, "rules": []})
    plan = plans.plan_create(user=team_admin, assistant_id=AID, candidate_version_id="v-cand", candidate_name="c",
                             steps=[pct(10, hold_seconds=600)], suite_threshold=0.7, min_sample=30, alpha=0.05)
    plan = plans.plan_start(user=team_admin, plan=plan)
    assert plan.suite_batches == {} and not any("/runs" in c.request.url for c in api.calls)
    page = team_admin_client.get(reverse("releases:plan-detail", args=[AID, plan.pk])).content.decode()
    assert 'data-testid="suite-gate-setting"' not in page and plan.status == RolloutPlan.Status.RUNNING


def test_promotion_needs_each_release_suite_passed_on_that_exact_version(db):
    _test("t-smoke", suite="smoke")
    _test("t-full", suite="full")
    _test("t-else", suite="full", destination=OTHER)  # another assistant's failure does not count
    _batch("full-1", "full", {"t-full": ["failed"], "t-else": ["failed"]}, versions={AID: "v-cand"}, at=1)
    _batch("smoke-1", "smoke", {"t-smoke": ["passed"]}, version="v-cand", at=2)  # newer, passing, smaller
    check = promotion_check(assistant_id=AID, version_id="v-cand")
    assert not check.passed and "“full” failed on it: 0 of 1 runs of this assistant's tests passed (t-full failed)" in check.reason
    _batch("full-2", "full", {"t-full": ["passed"], "t-else": ["failed"]}, versions={AID: "v-cand"}, at=3)
    assert promotion_check(assistant_id=AID, version_id="v-cand").passed
    assert not promotion_check(assistant_id=AID, version_id="v-old").passed  # not that version
    ReleasePolicy.objects.create(assistant_id=AID, release_suites=["smoke"])
    _batch("full-3", "full", {"t-full": ["failed"]}, versions={AID: "v-cand"}, at=4)
    assert promotion_check(assistant_id=AID, version_id="v-cand").passed  # only the designated suite counts


def test_trials_each_get_their_own_key_and_fill_the_matrix_with_a_flaky_badge(telnyx_base, operator, operator_client):
    for test_id in ("t1", "t2"):
        _test(test_id, suite="booking")
    pks = {t: AssistantTest.objects.get(telnyx_id=t).pk for t in ("t1", "t2")}
    with responses.RequestsMock() as mock:
        for test_id, outcomes in (("t1", ["passed", "failed"]), ("t2", ["passed", "passed"])):
            for trial, status in enumerate(outcomes, start=1):
                mock.post(f"{telnyx_base}/ai/assistants/tests/{test_id}/runs", json={
                    "run_id": f"{test_id}-run{trial}", "test_id": test_id, "status": status,
                    "created_at": "2026-11-23T10:00:00Z", "completed_at": "2026-11-23T10:01:00Z"})
        batch = suite_run_trigger(user=operator, suite_name="booking", version_id="v-cand", idempotency_key="k",
                                  trials=2)
        keys = [c.request.headers["Idempotency-Key"] for c in mock.calls]
        bodies = [json.loads(c.request.body) for c in mock.calls]
    assert sorted(keys) == sorted([f"k-{pks['t1']}", f"k-{pks['t2']}", f"k-{pks['t1']}-t2", f"k-{pks['t2']}-t2"])
    assert all(b == {"destination_version_id": "v-cand"} for b in bodies) and batch.trials == 2
    assert dict(RunTrigger.objects.values_list("run_id", "trial")) == {
        "t1-run1": 1, "t2-run1": 1, "t1-run2": 2, "t2-run2": 2}
    evidence = batch_evidence(batch, AID)
    assert [(t.test_id, [c.status for c in t.cells], t.flaky) for t in evidence.tests] == [
        ("t1", ["passed", "failed"], True), ("t2", ["passed", "passed"], False)]
    page = operator_client.get(reverse("testing:suite-run-detail", args=["booking", batch.batch_id])).content.decode()
    assert page.count('data-testid="matrix-row"') == 2 and page.count('data-testid="flaky"') == 1
    assert "Trial 2" in page and "3/4 (" in page  # pooled, with its interval
