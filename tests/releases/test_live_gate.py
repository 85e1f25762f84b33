"""The live-traffic gate in the engine: confidence sequences per metric, FAIL at any look,
PASS after the hold, INCONCLUSIVE pausing the plan with an alert, monitor-only metrics."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from conversations.models import Conversation, InsightResult
from releases.models import GateResult, RolloutPlan, RolloutStep
from releases.services import plans
from releases.services.engine import rollout_advance

from .conftest import AID, BEFORE, add_traffic, pct

pytestmark = pytest.mark.django_db


def _live_step(make_plan, hold_seconds=0, **plan_fields):
    plan = make_plan(pct(10, gate_live=True, hold_seconds=hold_seconds), min_sample=20, **plan_fields)
    RolloutStep.objects.filter(plan=plan).update(state=RolloutStep.State.HOLDING,
                                                 applied_at=timezone.now() - timedelta(minutes=1))
    return plan


def _spread(base: float, n: int) -> list[float]:
    return [base + (i % 5) / 10 for i in range(n)]  # base .. base+0.4, sd ≈ 0.14


@pytest.fixture
def no_new_traffic(api):
    api.get(f"{api.base}/ai/conversations", json={"data": []})
    api.put(api.canary, json={"assistant_id": AID, "rules": BEFORE})
    return api


def test_live_gate_waits_for_the_minimum_sample(no_new_traffic, make_plan):
    plan = _live_step(make_plan)
    add_traffic("v-cand", [{"score": 0.9}] * 5)
    add_traffic("v-main", [{"score": 0.9}] * 30)
    plan = rollout_advance(plan)
    assert plan.status == RolloutPlan.Status.RUNNING
    assert "Waiting for 20 conversations with insight results per version (candidate 5, main 30" in plan.message
    assert GateResult.objects.get().verdict == GateResult.Verdict.WAITING


def test_a_lower_scoring_candidate_is_aborted_during_the_hold_with_its_interval(no_new_traffic, make_plan):
    """The sequence is valid at every look: a candidate shown worse is stopped before its hold ends."""
    plan = _live_step(make_plan, hold_seconds=3600, metrics="score, resolved")
    add_traffic("v-cand", [{"score": s, "resolved": n % 2 == 0, "messages": 4} for n, s in enumerate(_spread(0.2, 40))])
    add_traffic("v-main", [{"score": s, "resolved": n % 2 == 0, "messages": 4} for n, s in enumerate(_spread(0.5, 40))])
    plan = rollout_advance(plan)
    assert plan.status == RolloutPlan.Status.ABORTED
    result = GateResult.objects.get()
    metrics = {m["key"]: m for m in result.details["metrics"]}
    assert set(metrics) == {"score", "resolved"}  # "messages" was not asked for
    score = metrics["score"]
    assert (score["role"], score["verdict"], score["alpha"]) == ("primary", "fail", 0.025)  # half the plan's 0.05
    assert score["estimate"] == pytest.approx(-0.3) and score["lower"] < -0.3 < score["upper"] < 0
    assert metrics["resolved"]["role"] == "guardrail" and metrics["resolved"]["verdict"] != "fail"
    assert "worse than main on “score”: difference -0.300, always-valid interval" in plan.message
    assert "Step 1 (10% of traffic) failed its gate" in plan.message


def test_an_equal_candidate_passes_after_the_hold_and_the_plan_completes(no_new_traffic, make_plan):
    plan = _live_step(make_plan, hold_seconds=3600, margin=0.2)
    add_traffic("v-cand", [{"score": s} for s in _spread(0.5, 40)])
    add_traffic("v-main", [{"score": s} for s in _spread(0.5, 40)])
    plan = rollout_advance(plan)
    assert plan.status == RolloutPlan.Status.RUNNING and "Holding 10% of traffic" in plan.message
    assert GateResult.objects.get().verdict == GateResult.Verdict.PASS  # already shown; the hold still runs
    plan = rollout_advance(plan, now=timezone.now() + timedelta(seconds=3601))
    assert plan.status == RolloutPlan.Status.COMPLETED and "without promoting" in plan.message
    metric = GateResult.objects.get().details["metrics"][0]
    assert metric["lower"] > -0.2 and metric["estimate"] == pytest.approx(0)


def test_an_undecided_step_at_its_maximum_sample_is_inconclusive_pauses_and_alerts(
        no_new_traffic, make_plan, team_admin, settings):
    settings.RELEASES_ALERT_EMAILS = ["oncall@example.com"]
    plan = _live_step(make_plan, margin=0.01, max_sample=40)  # 40 each cannot show a 0.01 margin
    add_traffic("v-cand", [{"score": s} for s in _spread(0.5, 30)])
    add_traffic("v-main", [{"score": s} for s in _spread(0.5, 30)])
    plan = rollout_advance(plan)
    assert plan.status == RolloutPlan.Status.RUNNING and "Not decided yet: “score” difference +0.000" in plan.message

    add_traffic("v-cand", [{"score": s} for s in _spread(0.5, 10)], start=30)
    plan = rollout_advance(plan)
    assert plan.status == RolloutPlan.Status.PAUSED
    assert GateResult.objects.get().verdict == GateResult.Verdict.INCONCLUSIVE
    assert plan.message.startswith("Paused: step 1 (10% of traffic) is inconclusive. Inconclusive: no decision "
                                   "within the step's maximum (40 of 40 candidate conversations")
    assert "resume for another window, skip the step, or abort" in plan.message
    assert mail.outbox[-1].subject.endswith(": inconclusive") and "oncall@example.com" in mail.outbox[-1].to
    assert plan.steps.get().state == RolloutStep.State.HOLDING  # the canary keeps the step's rules

    # Resuming gives the step a new window: it waits again instead of pausing at once.
    plan = plans.plan_resume(user=team_admin, plan=plan)
    assert plan.status == RolloutPlan.Status.RUNNING and "Not decided yet" in plan.message
    assert plan.steps.get().window_started_at is not None


def test_an_undecided_step_past_its_maximum_time_is_inconclusive(no_new_traffic, make_plan):
    plan = _live_step(make_plan, margin=0.01, max_step_seconds=3600)
    add_traffic("v-cand", [{"score": s} for s in _spread(0.5, 30)])
    add_traffic("v-main", [{"score": s} for s in _spread(0.5, 30)])
    plan = rollout_advance(plan, now=timezone.now() + timedelta(hours=2))
    assert plan.status == RolloutPlan.Status.PAUSED and "is inconclusive" in plan.message


def test_a_monitor_only_metric_is_judged_and_shown_but_never_aborts(no_new_traffic, make_plan):
    plan = _live_step(make_plan, metrics="score", monitor_metrics="handled", margin=0.2)
    add_traffic("v-cand", [{"score": s, "handled": False} for s in _spread(0.5, 40)])
    add_traffic("v-main", [{"score": s, "handled": True} for s in _spread(0.5, 40)])
    plan = rollout_advance(plan)
    assert plan.status == RolloutPlan.Status.COMPLETED
    result = GateResult.objects.get()
    monitor = next(m for m in result.details["metrics"] if m["key"] == "handled")
    assert monitor["role"] == "monitor" and monitor["verdict"] == "fail" and monitor["upper"] < -0.5
    assert result.verdict == GateResult.Verdict.PASS and "on score:" in result.summary


def test_evidence_spans_the_plans_steps_and_each_look_is_kept_for_the_picture(no_new_traffic, make_plan):
    plan = make_plan(pct(10, gate_live=True), pct(25, gate_live=True), min_sample=20, margin=0.2)
    first, second = plan.steps.order_by("index")
    RolloutStep.objects.filter(pk=first.pk).update(state=RolloutStep.State.PASSED,
                                                   applied_at=timezone.now() - timedelta(hours=1))
    RolloutStep.objects.filter(pk=second.pk).update(state=RolloutStep.State.HOLDING,
                                                    applied_at=timezone.now() - timedelta(minutes=1))
    RolloutPlan.objects.filter(pk=plan.pk).update(current_step=1)
    add_traffic("v-cand", [{"score": s} for s in _spread(0.5, 25)])  # before step 2, during step 1
    Conversation.objects.update(created_at=timezone.now() - timedelta(minutes=30))
    add_traffic("v-cand", [{"score": s} for s in _spread(0.5, 15)], start=25)
    add_traffic("v-main", [{"score": s} for s in _spread(0.5, 40)])
    rollout_advance(plan)
    result = GateResult.objects.get(step=second)
    assert result.details["counts"] == {"v-cand": 40, "v-main": 40} and result.verdict == GateResult.Verdict.PASS
    assert result.details["window"]["n"] == 15  # the step's own maximum counts from its start
    (point,) = result.details["history"]
    assert point["n"] == [40, 40] and set(point["values"]) == {"score"}


def test_the_live_gate_reads_new_conversations_and_their_insight_results(api, make_plan):
    plan = _live_step(make_plan)
    created = timezone.now().isoformat()
    api.get(f"{api.base}/ai/conversations", json={"data": [
        {"id": "conv-1", "metadata": {"assistant_id": AID, "assistant_version_id": "v-cand"}, "created_at": created}]})
    api.get(f"{api.base}/ai/conversations/conv-1/conversations-insights", json={"data": [
        {"id": "r1", "status": "completed", "conversation_insights": [
            {"insight_id": "i1", "result": json.dumps({"score": 0.7, "resolved": True, "summary": "text"})}]}]})
    rollout_advance(plan)
    stored = InsightResult.objects.get()
    assert (stored.template_id, stored.assistant_version_id) == ("i1", "v-cand")
    assert stored.values == {"score": 0.7, "resolved": True, "summary": "text"}  # the gate compares the first two
    assert Conversation.objects.get(telnyx_id="conv-1").insights_synced_at is not None
    assert GateResult.objects.get().details["counts"] == {"v-cand": 1}
