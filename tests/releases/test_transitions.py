"""Admin transitions (start, pause, resume, skip, abort), the promotion gate and approvals."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from portal.models import AuditEvent
from releases.models import ApprovalRequest, PromotionOverride, ReleasePolicy, RolloutPlan, RolloutStep
from releases.services import approvals, plans
from releases.services.engine import rollout_advance
from releases.services.promotion import promotion_gate
from testing.models import AssistantTest, SuiteRun, TestRun

from .conftest import AID, BEFORE, pct

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_admin(db) -> User:
    user = User.objects.create_user("bob", password="pw")
    user.groups.add(Group.objects.get(name="Admin"))
    return user


def _suite(status="passed", version="v-cand"):
    """A finished batch of "smoke" on `version`: two runs of its one test ("failed": one of them failed)."""
    now = timezone.now()
    AssistantTest.objects.get_or_create(telnyx_id="t1", defaults={"name": "greets", "destination": AID,
                                                                  "test_suite": "smoke", "synced_at": now})
    n = SuiteRun.objects.count()
    statuses = ["passed", "passed" if status == "passed" else "failed"]
    for i, run_status in enumerate(statuses):
        TestRun.objects.create(telnyx_id=f"r{n}-{i}", test_id="t1", status=run_status, synced_at=now)
    return SuiteRun.objects.create(batch_id=f"b-{status}-{n}", suite="smoke", version_id=version,
                                   run_ids=[f"r{n}-0", f"r{n}-1"], started_at=now + timedelta(seconds=n), status=status,
                                   total=2, passed=statuses.count("passed"), failed=statuses.count("failed"), trials=2)


def test_start_remembers_the_rules_before_runs_the_suites_on_the_candidate_and_applies_step_one(api, team_admin):
    _suite()
    api.post(f"{api.base}/ai/assistants/tests/test-suites/smoke/runs",
             json={"data": [{"run_id": "r1", "test_id": "t1", "status": "pending", "test_suite_run_id": "batch-9",
                             "created_at": timezone.now().isoformat(), "triggered_by": "api"}]})
    api.put(api.canary, json={"assistant_id": AID, "rules": []})
    plan = plans.plan_create(user=team_admin, assistant_id=AID, candidate_version_id="v-cand", candidate_name="candidate",
                             steps=[pct(10, hold_seconds=60, gate_tests=True)], suite_threshold=1.0, min_sample=30, alpha=0.05,
                             suite_trials=1)
    plan = plans.plan_start(user=team_admin, plan=plan)
    assert plan.status == RolloutPlan.Status.RUNNING and plan.rules_before == BEFORE and plan.main_version_id == "v-main"
    trigger = next(c.request for c in api.calls if c.request.url.endswith("/smoke/runs"))
    assert json.loads(trigger.body) == {"destination_version_id": "v-cand"}
    assert trigger.headers["Idempotency-Key"] == f"rollout-{plan.pk}-suite-smoke"
    assert plan.suite_batches == {"smoke": "batch-9"}
    assert plan.steps.get().state == RolloutStep.State.HOLDING
    assert "Waiting for the suites: 0 of 1 runs of this assistant's tests finished" in plan.message
    assert list(AuditEvent.objects.filter(resource_type="release").values_list("action", flat=True).order_by("pk")) \
        == ["plan created", "start", "step applied"]


def test_start_is_refused_when_the_canary_cannot_be_read(api, team_admin, make_plan):
    from responses import GET
    api.replace(GET, api.canary, status=503, json={"errors": [{"title": "down"}]})
    plan = make_plan(pct(10), status=RolloutPlan.Status.DRAFT, rules_before=None)
    with pytest.raises(Exception):
        plans.plan_start(user=team_admin, plan=plan)
    plan.refresh_from_db()
    assert plan.status == RolloutPlan.Status.DRAFT  # an abort could not know what to restore


def test_pause_resume_and_a_stale_skip(api, make_plan, team_admin):
    api.put(api.canary, json={"assistant_id": AID, "rules": []})
    plan = make_plan(pct(10, hold_seconds=600), pct(25, hold_seconds=600))
    plan = plans.plan_pause(user=team_admin, plan=plan)
    assert plan.status == RolloutPlan.Status.PAUSED and rollout_advance(plan).current_step == 0
    assert not any(c.request.method == "PUT" for c in api.calls)  # paused plans do nothing
    with pytest.raises(plans.PlanStateError):
        plans.plan_pause(user=team_admin, plan=plan)
    plan = plans.plan_resume(user=team_admin, plan=plan)
    assert plan.status == RolloutPlan.Status.RUNNING and plan.steps.get(index=0).state == RolloutStep.State.HOLDING
    plan = plans.plan_skip(user=team_admin, plan=plan, step_index=0)
    assert plan.current_step == 1 and plan.steps.get(index=0).state == RolloutStep.State.SKIPPED
    assert plan.steps.get(index=1).state == RolloutStep.State.HOLDING
    with pytest.raises(plans.PlanStateError, match="moved on"):
        plans.plan_skip(user=team_admin, plan=plan, step_index=0)
    actions = list(AuditEvent.objects.filter(resource_type="release").values_list("action", flat=True).order_by("pk"))
    assert actions == ["pause", "resume", "step applied", "skip", "step applied"]


def test_viewer_and_operator_cannot_change_plans(make_plan, viewer, operator):
    plan = make_plan(pct(10))
    for user in (viewer, operator):
        with pytest.raises(PermissionDenied):
            plans.plan_abort(user=user, plan=plan)


def test_promotion_is_refused_without_a_passing_suite_run_and_an_override_is_recorded(api, team_admin):
    decision = promotion_gate(user=team_admin, assistant_id=AID, version_id="v-cand")
    assert not decision.allowed and "no release suites" in decision.refusal
    _suite(status="failed")
    decision = promotion_gate(user=team_admin, assistant_id=AID, version_id="v-cand")
    assert not decision.allowed and "“smoke” failed on it: 1 of 2 runs of this assistant's tests passed (greets failed)" \
        in decision.refusal
    decision = promotion_gate(user=team_admin, assistant_id=AID, version_id="v-cand", override_reason="customer escalation")
    assert decision.allowed
    override = PromotionOverride.objects.get()
    assert override.reason == "customer escalation" and "failed" in override.blocked_because
    assert AuditEvent.objects.get(action="override").summary.endswith("customer escalation")
    _suite(status="passed")  # the latest run on that exact version now passed
    assert promotion_gate(user=team_admin, assistant_id=AID, version_id="v-cand").allowed
    assert not promotion_gate(user=team_admin, assistant_id=AID, version_id="v-old").allowed


def test_two_person_promotion_needs_someone_else_and_expires(api, team_admin, second_admin, settings):
    settings.RELEASES_TWO_PERSON_APPROVAL = True
    _suite()
    decision = promotion_gate(user=team_admin, assistant_id=AID, version_id="v-cand")
    request = decision.approval
    assert not decision.allowed and request.status == ApprovalRequest.Status.PENDING
    assert promotion_gate(user=team_admin, assistant_id=AID, version_id="v-cand").approval == request  # no twin
    with pytest.raises(PermissionDenied, match="second Admin"):
        approvals.approval_approve(user=team_admin, request=request)
    ApprovalRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    request.refresh_from_db()
    with pytest.raises(approvals.ApprovalRefused, match="expired"):
        approvals.approval_approve(user=second_admin, request=request)
    ApprovalRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() + timedelta(hours=1))
    request.refresh_from_db()
    approvals.approval_approve(user=second_admin, request=request, comment="diff looks right")
    with pytest.raises(approvals.ApprovalRefused, match="already decided"):
        approvals.approval_approve(user=second_admin, request=request)
    assert promotion_gate(user=second_admin, assistant_id=AID, version_id="v-cand").allowed
    assert ApprovalRequest.objects.get().status == ApprovalRequest.Status.USED


def test_per_assistant_policy_overrides_the_global_setting(team_admin, settings):
    from releases.services.policy import policy_set, two_person_required
    settings.RELEASES_TWO_PERSON_APPROVAL = False
    policy_set(user=team_admin, assistant_id=AID, two_person_approval=True)
    assert two_person_required(AID) and not two_person_required("other")
    assert ReleasePolicy.objects.get().updated_by == team_admin.username


def test_a_held_step_waits_for_a_second_admin_then_advances(api, make_plan, team_admin, second_admin, settings):
    settings.RELEASES_TWO_PERSON_APPROVAL = True
    api.put(api.canary, json={"assistant_id": AID, "rules": []})
    plan = make_plan(pct(10, hold_for_approval=True), pct(25, hold_seconds=600))
    plan = rollout_advance(plan)
    # Nothing goes live before a second Admin approves the rollout itself.
    assert not any(c.request.method == "PUT" for c in api.calls) and "second Admin to approve this rollout" in plan.message
    approvals.approval_approve(user=second_admin, request=ApprovalRequest.objects.get(kind="plan"))
    plan = rollout_advance(plan)
    request = ApprovalRequest.objects.get(kind="step")
    assert request.requested_by == team_admin and request.needs_second_admin
    assert plan.current_step == 0 and "waits for an Admin's approval" in plan.message
    with pytest.raises(PermissionDenied):
        approvals.approval_approve(user=team_admin, request=request)
    approvals.approval_approve(user=second_admin, request=request)
    plan = rollout_advance(plan)
    assert plan.current_step == 1 and plan.steps.get(index=1).state == RolloutStep.State.HOLDING


def test_a_rejected_held_step_aborts_the_plan(api, make_plan, second_admin):
    api.put(api.canary, json={"assistant_id": AID, "rules": []})
    plan = rollout_advance(make_plan(pct(10, hold_for_approval=True)))
    approvals.approval_reject(user=second_admin, request=ApprovalRequest.objects.get(), comment="too early")
    plan = rollout_advance(plan)
    assert plan.status == RolloutPlan.Status.ABORTED and "bob rejected step 1: too early" in plan.message


def test_the_promote_step_waits_on_the_promotion_gate_then_promotes(api, make_plan, assistant_json):
    promoted = assistant_json(1, version_id="v-cand")
    api.post(f"{api.base}/ai/assistants/{AID}/versions/v-cand/promote", json=promoted)
    plan = make_plan({"kind": RolloutStep.Kind.PROMOTE})
    plan = rollout_advance(plan)
    assert plan.status == RolloutPlan.Status.RUNNING and "Promotion refused" in plan.message
    _suite()
    plan = rollout_advance(plan)
    assert plan.status == RolloutPlan.Status.COMPLETED and plan.message == "Completed: the candidate is main."
    assert AuditEvent.objects.filter(action="promote", outcome="success").exists()

