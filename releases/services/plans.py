"""Rollout plans: create, start, pause, resume, skip a step, abort. Every transition is
checked against the plan's current status with a conditional UPDATE (a stale page can
never resume an aborted plan) and audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from assistants.services import canary as canary_services
from assistants.services.assistants import assistant_fetch
from portal.roles import ADMINISTER, require_perm
from portal.telnyx import TelnyxError
from releases.models import ApprovalRequest, GateResult, RolloutPlan, RolloutStep
from releases.services import approvals, engine
from releases.services.policy import two_person_required
from testing.selectors import suites_for_assistant
from testing.services.suites import suite_run_trigger

Status = RolloutPlan.Status


class PlanStateError(Exception):
    """The plan is not in a state that allows this (someone else changed it first)."""


def plan_create(*, user, assistant_id: str, candidate_version_id: str, candidate_name: str, steps: list[dict],
                suite_threshold: float, min_sample: int, alpha: float, metrics: str = "", suite_trials: int = 3,
                **live_gate) -> RolloutPlan:
    """A draft plan; `steps` are dicts of RolloutStep fields (kind, weight, match, hold_seconds, ...);
    `live_gate`: the live gate's other RolloutPlan fields (monitor_metrics, margin, margins,
    max_sample, max_step_seconds), their defaults where not given."""
    require_perm(user, ADMINISTER)
    with transaction.atomic():
        plan = RolloutPlan.objects.create(
            assistant_id=assistant_id, candidate_version_id=candidate_version_id, candidate_name=candidate_name,
            suite_threshold=suite_threshold, suite_trials=suite_trials, min_sample=min_sample, alpha=alpha,
            metrics=metrics, created_by=user, created_by_name=user.username, **live_gate)
        RolloutStep.objects.bulk_create([RolloutStep(plan=plan, index=i, **step) for i, step in enumerate(steps)])
        engine.record(plan, action="plan created", user=user,
                      summary=f"Planned {plan}: " + " → ".join(s.label for s in plan.steps.all()))
    return plan


def _transition(plan: RolloutPlan, *, frm: tuple, to: str, **fields) -> None:
    if not RolloutPlan.objects.filter(pk=plan.pk, status__in=frm).update(status=to, **fields):
        plan.refresh_from_db()
        raise PlanStateError(f"The plan is {plan.get_status_display().lower()} now; reload the page.")
    plan.refresh_from_db()


def plan_start(*, user, plan: RolloutPlan) -> RolloutPlan:
    """Remember the canary rules and main live now, start the suites on the candidate, apply step 1."""
    require_perm(user, ADMINISTER)
    if RolloutPlan.objects.filter(assistant_id=plan.assistant_id, status__in=RolloutPlan.ACTIVE).exclude(pk=plan.pk).exists():
        raise PlanStateError("Another rollout plan is active for this assistant: finish or abort it first.")
    # Both reads must succeed: an abort has to know exactly what to restore.
    current = canary_services.canary_fetch(user=user, assistant_id=plan.assistant_id)
    assistant = assistant_fetch(user=user, assistant_id=plan.assistant_id)
    if assistant.error:
        raise assistant.error
    _transition(plan, frm=(Status.DRAFT,), to=Status.RUNNING, started_at=timezone.now(),
                rules_before=current.rules if current.exists else None,
                main_version_id=str(assistant.data.get("version_id") or ""))
    batches, problems = {}, []
    # An unticked suite gate runs nothing: suites start only for a plan with a suite gate.
    gated = plan.steps.filter(gate_tests=True).exists()
    for suite in suites_for_assistant(plan.assistant_id) if gated else []:
        try:
            # Only this assistant's tests run on the candidate; other destinations stay on main.
            run = suite_run_trigger(user=user, suite_name=suite, versions={plan.assistant_id: plan.candidate_version_id},
                                    idempotency_key=f"rollout-{plan.pk}-suite-{suite}"[:100], trials=plan.suite_trials)
            batches[suite] = run.batch_id
        except TelnyxError as exc:
            problems.append(f"“{suite}”: {exc.user_message}")
    RolloutPlan.objects.filter(pk=plan.pk).update(suite_batches=batches)
    plan.suite_batches = batches
    note = f" Could not start {', '.join(problems)}." if problems else ""
    engine.record(plan, action="start", user=user,
                  summary=f"Started {plan}; suites on the candidate: {', '.join(batches) or 'none'}.{note}",
                  changes={"canary rules before the plan": {"before": None, "after": plan.rules_before}})
    return engine.rollout_advance(plan)


def plan_pause(*, user, plan: RolloutPlan) -> RolloutPlan:
    require_perm(user, ADMINISTER)
    _transition(plan, frm=(Status.RUNNING,), to=Status.PAUSED,
                message=f"Paused by {user.username}: the current step's rules stay live.")
    engine.record(plan, action="pause", user=user, summary=f"Paused {plan} at step {plan.current_step + 1}")
    return plan


def plan_resume(*, user, plan: RolloutPlan) -> RolloutPlan:
    require_perm(user, ADMINISTER)
    _transition(plan, frm=(Status.PAUSED,), to=Status.RUNNING, apply_failures=0, message=f"Resumed by {user.username}.")
    if plan.interrupted_at:
        # Someone changed the rules by hand while it was paused: the current step goes live again.
        plan.steps.filter(index=plan.current_step, state__in=[RolloutStep.State.HOLDING, RolloutStep.State.APPLYING],
                          applied_at__lt=plan.interrupted_at).update(state=RolloutStep.State.PENDING)
    # After an INCONCLUSIVE live gate, resuming gives the step a new window of sample and time.
    plan.steps.filter(index=plan.current_step, gate_results__kind=GateResult.Kind.LIVE,
                      gate_results__verdict=GateResult.Verdict.INCONCLUSIVE).update(window_started_at=timezone.now())
    engine.record(plan, action="resume", user=user, summary=f"Resumed {plan} at step {plan.current_step + 1}")
    return engine.rollout_advance(plan)


def plan_skip(*, user, plan: RolloutPlan, step_index: int) -> RolloutPlan:
    """Skip the current step (`step_index` is what the page showed, so a stale click skips nothing)."""
    require_perm(user, ADMINISTER)
    waiting = plan.approvals.filter(status=ApprovalRequest.Status.PENDING, needs_second_admin=True,
                                    requested_by=user).first()
    if waiting is not None and two_person_required(plan.assistant_id):
        # Skipping would walk around the second Admin the plan waits for.
        raise PermissionDenied(f"The plan waits for a second Admin to approve {approvals.describe(waiting)}, "
                               "asked in your name: someone else must approve or skip it.")
    if not RolloutPlan.objects.filter(pk=plan.pk, status__in=(Status.RUNNING, Status.PAUSED),
                                      current_step=step_index).update(current_step=step_index + 1):
        plan.refresh_from_db()
        raise PlanStateError("The plan has moved on since the page was loaded; nothing was skipped.")
    step = plan.steps.get(index=step_index)
    RolloutStep.objects.filter(pk=step.pk).update(state=RolloutStep.State.SKIPPED, finished_at=timezone.now(),
                                                 message=f"Skipped by {user.username}.")
    plan.refresh_from_db()
    engine.record(plan, action="skip", user=user, summary=f"Skipped step {step_index + 1} ({step.label}) of {plan}")
    return engine.rollout_advance(plan)


def plan_abort(*, user, plan: RolloutPlan, reason: str = "") -> RolloutPlan:
    """Stop the plan and restore the canary rules live before it; main is untouched."""
    require_perm(user, ADMINISTER)
    _transition(plan, frm=(Status.RUNNING, Status.PAUSED), to=Status.ABORTING)
    engine.abort(plan, reason=f"Aborted by {user.username}" + (f": {reason}" if reason else "."), user=user)
    plan.refresh_from_db()
    return plan


def plan_retry_restore(*, user, plan: RolloutPlan) -> RolloutPlan:
    """Try again to restore the rules of an abort whose restore failed."""
    require_perm(user, ADMINISTER)
    if plan.status == Status.ABORTING:
        engine.restore_before_plan(plan, user=user)
    plan.refresh_from_db()
    return plan
