"""The rollout engine: applying steps, holds, gates, aborts and Telnyx failures mid-step."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import responses
from django.core import mail
from django.utils import timezone

from portal.models import AuditEvent
from releases.models import GateResult, RolloutPlan, RolloutStep
from releases.services.engine import rollout_advance
from releases.tasks import advance_due_plans
from testing.models import AssistantTest, SuiteRun, TestRun

from .conftest import AID, BEFORE, pct

pytestmark = pytest.mark.django_db


def puts(api) -> list[dict]:
    return [json.loads(c.request.body) for c in api.calls if c.request.method == "PUT"]


def test_advance_applies_the_step_as_a_canary_update_once_even_when_the_task_is_redelivered(api, make_plan):
    api.put(api.canary, json={"assistant_id": AID, "rules": [{"serve": {"rollout": [{"version_id": "v-cand", "weight": 10}]}}]})
    plan = make_plan(pct(10, hold_seconds=600), pct(25))
    advance_due_plans()
    advance_due_plans()  # redelivered / next beat tick: the step is live, nothing is sent again
    assert puts(api) == [{"rules": [{"serve": {"rollout": [{"version_id": "v-cand", "weight": 10.0}]}}]}]
    step = plan.steps.get(index=0)
    assert step.state == RolloutStep.State.HOLDING and step.idempotency_key == f"rollout-{plan.pk}-step-0"
    plan.refresh_from_db()
    assert plan.current_step == 0 and "Holding 10% of traffic until" in plan.message
    assert AuditEvent.objects.filter(resource_type="release", action="step applied").count() == 1


def test_a_step_left_half_applied_is_resent_with_the_same_idempotency_key(api, make_plan):
    """A worker died after asking Telnyx: the redelivered task re-sends with the same key."""
    api.replace(responses.GET, api.canary, status=404, json={"errors": [{"title": "Not found"}]})
    api.post(api.canary, json={"assistant_id": AID, "rules": []})
    plan = make_plan(pct(10, hold_seconds=600), rules_before=None)
    RolloutStep.objects.filter(plan=plan).update(state=RolloutStep.State.APPLYING, idempotency_key=f"rollout-{plan.pk}-step-0")
    rollout_advance(plan)
    posts = [c.request for c in api.calls if c.request.method == "POST"]
    assert [p.headers["Idempotency-Key"] for p in posts] == [f"rollout-{plan.pk}-step-0"]
    assert plan.steps.get().state == RolloutStep.State.HOLDING


def test_after_the_hold_the_plan_moves_to_the_next_step_keeping_the_pins(api, make_plan):
    api.put(api.canary, json={"assistant_id": AID, "rules": []})
    pin = {"kind": RolloutStep.Kind.PIN, "hold_seconds": 60,
           "match": [{"attribute": "from", "operator": "starts_with", "values": ["+1555"]}]}
    plan = make_plan(pin, pct(20, hold_seconds=600))
    rollout_advance(plan)
    plan = rollout_advance(plan, now=timezone.now() + timedelta(seconds=61))
    pinned = {"match": pin["match"], "serve": {"version_id": "v-cand"}}
    assert puts(api) == [{"rules": [pinned]},
                         {"rules": [pinned, {"serve": {"rollout": [{"version_id": "v-cand", "weight": 20.0}]}}]}]
    assert plan.current_step == 1 and plan.steps.get(index=0).state == RolloutStep.State.PASSED


def test_telnyx_failing_mid_step_leaves_the_step_pending_and_says_so_then_pauses_after_three(api, make_plan, settings):
    settings.RELEASES_ALERT_EMAILS = ["oncall@example.com"]
    api.put(api.canary, status=503, json={"errors": [{"title": "Service unavailable"}]})
    plan = make_plan(pct(10))
    rollout_advance(plan)
    plan.refresh_from_db()
    step = plan.steps.get()
    assert plan.status == RolloutPlan.Status.RUNNING and step.state == RolloutStep.State.PENDING
    assert "Step 1 (10% of traffic) could not be applied" in plan.message and "(503)" in plan.message
    assert "keeps the previous step's rules" in plan.message
    assert AuditEvent.objects.filter(action="step failed", outcome="failure").count() == 1
    rollout_advance(plan)
    plan = rollout_advance(plan)
    assert plan.status == RolloutPlan.Status.PAUSED and "Paused after 3 failed attempts" in plan.message
    assert mail.outbox[-1].to == ["oncall@example.com"] and "paused" in mail.outbox[-1].subject


def _suite_batch(plan, *, passed, failed, status):
    now = timezone.now()
    AssistantTest.objects.create(telnyx_id="t1", name="greets", destination=AID, test_suite="smoke", synced_at=now)
    statuses = ["passed"] * passed + ["failed"] * failed
    for i, run_status in enumerate(statuses):
        TestRun.objects.create(telnyx_id=f"r{i}", test_id="t1", status=run_status, synced_at=now)
    SuiteRun.objects.create(batch_id="b1", suite="smoke", version_id="v-cand", run_ids=[f"r{i}" for i in range(len(statuses))],
                            started_at=now, status=status, total=passed + failed, passed=passed, failed=failed,
                            trials=len(statuses))
    plan.suite_batches = {"smoke": "b1"}
    plan.save()


def test_suites_below_the_threshold_abort_the_plan_restore_the_rules_and_alert(api, make_plan, team_admin):
    team_admin.email = "admin@example.com"
    team_admin.save()
    api.put(api.canary, json={"assistant_id": AID, "rules": BEFORE})
    plan = make_plan(pct(10, gate_tests=True), suite_threshold=0.9)
    _suite_batch(plan, passed=3, failed=1, status="failed")
    plan = rollout_advance(plan)
    assert plan.status == RolloutPlan.Status.ABORTED
    assert "3 of 4 runs of this assistant's tests passed on the candidate (75%; 95% interval 30%–95%). " \
        "The plan needs the lower end to reach 90%. Failed: greets." in plan.message
    assert "Main is untouched; the canary deploy from before the plan is back" in plan.message
    assert puts(api)[-1] == {"rules": BEFORE}  # the rules from before the plan, not main
    assert not any("promote" in c.request.url for c in api.calls)
    assert GateResult.objects.get().verdict == GateResult.Verdict.FAIL
    assert mail.outbox[0].to == ["admin@example.com"] and "aborted" in mail.outbox[0].subject
    assert "75%" in mail.outbox[0].body


def test_an_abort_whose_restore_fails_stays_aborting_and_is_retried(api, make_plan, team_admin):
    api.put(api.canary, status=503, json={"errors": [{"title": "down"}]})
    plan = make_plan(pct(10))
    RolloutStep.objects.filter(plan=plan).update(state=RolloutStep.State.HOLDING, applied_at=timezone.now())
    from releases.services.plans import plan_abort
    plan = plan_abort(user=team_admin, plan=plan, reason="wrong greeting")
    assert plan.status == RolloutPlan.Status.ABORTING
    assert "Aborted by" in plan.message and "Restoring the canary rules from before the plan failed" in plan.message
    api.replace(responses.PUT, api.canary, json={"assistant_id": AID, "rules": BEFORE})
    plan = rollout_advance(plan)
    assert plan.status == RolloutPlan.Status.ABORTED and plan.message.count("Restoring") == 0

