"""The rollout engine: `rollout_advance(plan)` applies the current step as a canary deploy
update, evaluates its gates and hold, and advances, completes or aborts the plan.

Safe to call at any time and any number of times (the Celery task calls it for every due
plan): one run per plan at a time (a lease taken with a conditional UPDATE); a step is
sent to Telnyx with an Idempotency-Key derived from plan id + step index and recorded as
applied, so a redelivered task never applies a step twice. A Telnyx failure leaves the
step pending with the failure on the plan; the canary keeps the previous step's rules.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from assistants.models import Assistant
from assistants.services import canary as canary_services
from assistants.services import versions as version_services
from core import audit
from core.types import SystemActor
from portal.telnyx import TelnyxError
from releases.models import ApprovalRequest, GateResult, RolloutPlan, RolloutStep
from releases.services import gates, suite_gate
from releases.services.alerts import notify_release_event
from releases.services.approvals import (
    ApprovalRefused,
    approval_open,
    approval_use,
    step_approval,
    still_matches,
)
from releases.services.digest import ContentUnreadable
from releases.services.policy import RESOURCE_TYPE, two_person_required
from releases.services.promotion import promotion_gate

LEASE = timedelta(minutes=5)
ENGINE_NAME = "release engine"
MAX_APPLY_FAILURES = 3
State = RolloutStep.State


def step_key(plan: RolloutPlan, step: RolloutStep) -> str:
    """Derived from plan and step, so a redelivered task re-sends the same write; a plan resumed
    after someone changed the rules by hand re-applies under a key of its own."""
    resumed = f"-r{int(plan.interrupted_at.timestamp())}" if plan.interrupted_at else ""
    return f"rollout-{plan.pk}-step-{step.index}{resumed}"


def step_rules(plan: RolloutPlan, step: RolloutStep) -> list[dict]:
    """The canary rules of a step: every pin so far, then (for a percent step) the rollout."""
    pins = plan.steps.filter(kind=RolloutStep.Kind.PIN, index__lte=step.index).exclude(state=State.SKIPPED)
    rules = [{"match": pin.match, "serve": {"version_id": plan.candidate_version_id}} for pin in pins]
    if step.kind == RolloutStep.Kind.PERCENT:
        rules.append({"serve": {"rollout": [{"version_id": plan.candidate_version_id, "weight": step.weight}]}})
    return rules


def engine_actor(plan: RolloutPlan) -> SystemActor:
    """Who the engine's writes and audit events are by: itself, with the starter's permissions."""
    return SystemActor(ENGINE_NAME, plan.created_by)


def record(plan: RolloutPlan, *, action: str, summary: str, user=None, changes: dict | None = None,
           error: TelnyxError | None = None) -> None:
    audit.record(user=user or engine_actor(plan), action=action, resource_type=RESOURCE_TYPE,
                 resource_id=plan.assistant_id, resource_label=f"{plan} (plan #{plan.pk})", summary=summary,
                 changes=changes, error=error)


def _take_lease(plan: RolloutPlan, now) -> bool:
    return bool(RolloutPlan.objects.filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now), pk=plan.pk)
                .update(lease_until=now + LEASE))


def _save(plan: RolloutPlan, **fields) -> None:
    for name, value in fields.items():
        setattr(plan, name, value)
    RolloutPlan.objects.filter(pk=plan.pk).update(**fields)


def _apply(plan: RolloutPlan, step: RolloutStep, now) -> bool:
    """Send the step's rules to Telnyx. False (step left pending, plan says why) on failure."""
    key = step_key(plan, step)
    RolloutStep.objects.filter(pk=step.pk, state__in=[State.PENDING, State.APPLYING]).update(
        state=State.APPLYING, idempotency_key=key)
    rules = step_rules(plan, step)
    try:
        saved = canary_services.canary_save(user=engine_actor(plan), assistant_id=plan.assistant_id, rules=rules,
                                            idempotency_key=key)
    except TelnyxError as exc:
        failures = plan.apply_failures + 1
        message = (f"Step {step.index + 1} ({step.label}) could not be applied: {exc.user_message} "
                   "The canary keeps the previous step's rules.")
        RolloutStep.objects.filter(pk=step.pk).update(state=State.PENDING, message=message)
        record(plan, action="step failed", summary=message, error=exc)
        if failures >= MAX_APPLY_FAILURES:
            message += f" Paused after {failures} failed attempts."
            _save(plan, apply_failures=failures, message=message, status=RolloutPlan.Status.PAUSED)
            notify_release_event(plan=plan, event="paused", message=message)
        else:
            _save(plan, apply_failures=failures, message=message + " It is retried at the next advance.")
        return False
    # Real time, not `now`: the live gate counts the conversations Telnyx dates after this.
    step.state, step.applied_at, step.rules = State.HOLDING, timezone.now(), saved
    step.message = ""
    step.save(update_fields=["state", "applied_at", "rules", "message"])
    _save(plan, apply_failures=0, message=f"Step {step.index + 1} applied: {step.label}.")
    record(plan, action="step applied", summary=f"Step {step.index + 1} of {plan}: {step.label} is live",
           changes=audit.diff(None, {"rules": saved}))
    return True


def _promote(plan: RolloutPlan, step: RolloutStep, now) -> bool:
    """The final step: promotion gate (and second Admin if required), then make it main."""
    decision = promotion_gate(user=plan.created_by, assistant_id=plan.assistant_id,
                              version_id=plan.candidate_version_id, plan=plan)
    if not decision.allowed:
        waiting = decision.refusal or "Waiting for a second Admin to approve the promotion."
        if step.message != waiting:
            RolloutStep.objects.filter(pk=step.pk).update(message=waiting)
            _save(plan, message=waiting)
        return False
    main = Assistant.objects.filter(telnyx_id=plan.assistant_id).values_list("version_id", flat=True).first()
    try:
        version_services.version_promote(user=engine_actor(plan), assistant_id=plan.assistant_id,
                                         version_id=plan.candidate_version_id,
                                         from_version_id=main or plan.main_version_id,
                                         idempotency_key=f"rollout-{plan.pk}-promote")
    except TelnyxError as exc:
        message = f"The promotion failed: {exc.user_message} It is retried at the next advance."
        RolloutStep.objects.filter(pk=step.pk).update(message=message)
        _save(plan, message=message)
        record(plan, action="step failed", summary=message, error=exc)
        return False
    step.state, step.applied_at, step.finished_at = State.PASSED, now, now
    step.save(update_fields=["state", "applied_at", "finished_at"])
    return True


def _hold_outcome(plan: RolloutPlan, step: RolloutStep, now) -> tuple[str, str]:
    """("pass" | "wait" | "fail" | "pause", why) for a step that is live."""
    if step.gate_tests:
        result = suite_gate.tests_gate(plan, step)
        if result.verdict != GateResult.Verdict.PASS:
            return ("fail" if result.verdict == GateResult.Verdict.FAIL else "wait"), result.summary
    # The live gate's sequence is valid at every look, so a candidate shown worse is stopped
    # at once, hold or not; passing still waits for the hold.
    live = gates.live_gate(plan, step, now=now) if step.gate_live else None
    if live is not None and live.verdict == GateResult.Verdict.FAIL:
        return "fail", live.summary
    # `now` was read before the step was applied; never let it lag behind the real clock.
    if max(now, timezone.now()) < step.applied_at + timedelta(seconds=step.hold_seconds):
        return "wait", f"Holding {step.label} until {timezone.localtime(step.applied_at + timedelta(seconds=step.hold_seconds)):%H:%M:%S}."
    if live is not None and live.verdict == GateResult.Verdict.INCONCLUSIVE:
        return "pause", live.summary
    if live is not None and live.verdict != GateResult.Verdict.PASS:
        return "wait", live.summary
    if step.hold_for_approval:
        approval = step_approval(plan=plan, step=step)
        if approval.status == ApprovalRequest.Status.REJECTED:
            return "fail", f"{approval.decided_by_name} rejected step {step.index + 1}: {approval.comment or 'no reason given'}"
        if approval.status != ApprovalRequest.Status.APPROVED:
            return "wait", f"Step {step.index + 1} waits for an Admin's approval."
        try:
            if not approval_use(approval, user=engine_actor(plan)):
                return "wait", (f"Step {step.index + 1} waits for an Admin's approval again: the candidate changed "
                                "after it was approved.")
        except ApprovalRefused as exc:
            return "wait", str(exc)
    return "pass", ""


def plan_clearance(plan: RolloutPlan) -> tuple[str, str]:
    """("pass" | "wait" | "fail", why): with two-person approval on, the plan's steps send traffic
    to the candidate only under a second Admin's approval of the plan (its candidate's
    configuration and its steps), checked again before every step: a candidate edited in place
    after the approval needs a new one."""
    if not two_person_required(plan.assistant_id):
        return "pass", ""
    actor, Status = engine_actor(plan), ApprovalRequest.Status
    latest = plan.approvals.filter(kind=ApprovalRequest.Kind.PLAN).exclude(status=Status.VOID).first()
    try:
        if latest is not None and latest.status == Status.REJECTED:
            return "fail", f"{latest.decided_by_name} rejected the rollout: {latest.comment or 'no reason given'}"
        if latest is not None and latest.status == Status.USED and still_matches(latest, user=actor):
            return "pass", ""
        if latest is not None and latest.status == Status.APPROVED and approval_use(latest, user=actor):
            return "pass", ""
        waiting = latest is not None and latest.status == Status.PENDING and not latest.is_expired(timezone.now())
        if not waiting:  # none yet, voided by a change, or expired: ask (again)
            latest = approval_open(user=plan.created_by, kind=ApprovalRequest.Kind.PLAN, assistant_id=plan.assistant_id,
                                   version_id=plan.candidate_version_id, plan=plan,
                                   summary=f"{plan} sends traffic to the candidate only once a second Admin approves")
    except (ApprovalRefused, ContentUnreadable) as exc:
        return "wait", str(exc)
    return "wait", (f"Waiting for a second Admin to approve this rollout (asked by {latest.requested_by_name}): "
                    "no step sends traffic to the candidate before that.")


def rollout_advance(plan: RolloutPlan, *, now=None) -> RolloutPlan:
    """Move a running plan on as far as it can go now; finish an abort that is restoring.

    `now` is the clock holds are measured against (tests move it on instead of waiting)."""
    now = now or timezone.now()
    if not _take_lease(plan, now):
        return plan
    try:
        plan.refresh_from_db()
        _advance(plan, now)
    except PermissionDenied:
        message = (f"Paused: the release engine acts for {plan.created_by_name or 'the Admin who started the plan'}, "
                   "who can no longer administer assistants. Restore their role and resume, or abort the plan.")
        _save(plan, status=RolloutPlan.Status.PAUSED, message=message)
        record(plan, action="paused", summary=f"{plan}: {message}")
        notify_release_event(plan=plan, event="paused", message=message)
    finally:
        RolloutPlan.objects.filter(pk=plan.pk).update(lease_until=None)
    plan.refresh_from_db()
    return plan


def _advance(plan: RolloutPlan, now) -> None:
    """The body of `rollout_advance`, under the plan's lease."""
    if plan.status == RolloutPlan.Status.ABORTING:
        restore_before_plan(plan)
    while plan.status == RolloutPlan.Status.RUNNING:
        step = plan.step()
        if step is None:
            _complete(plan, now)
            break
        if step.state in (State.PENDING, State.APPLYING):
            if step.kind != RolloutStep.Kind.PROMOTE:
                outcome, why = plan_clearance(plan)
                if outcome == "fail":
                    abort(plan, reason=why)
                    break
                if outcome == "wait":
                    if plan.message != why:
                        _save(plan, message=why)
                    break
            done = _promote(plan, step, now) if step.kind == RolloutStep.Kind.PROMOTE else _apply(plan, step, now)
            if not done:
                break
        if step.state == State.HOLDING:
            outcome, why = _hold_outcome(plan, step, now)
            if outcome == "wait":
                if plan.message != why:
                    _save(plan, message=why)
                break
            if outcome == "pause":
                _pause_inconclusive(plan, step, why)
                break
            if outcome == "fail":
                RolloutStep.objects.filter(pk=step.pk).update(state=State.FAILED, finished_at=now, message=why)
                abort(plan, reason=f"Step {step.index + 1} ({step.label}) failed its gate: {why}")
                break
            step.state, step.finished_at = State.PASSED, now
            step.save(update_fields=["state", "finished_at"])
            record(plan, action="step passed", summary=f"Step {step.index + 1} of {plan} passed: {step.label}")
        _save(plan, current_step=plan.current_step + 1)


def _pause_inconclusive(plan: RolloutPlan, step: RolloutStep, why: str) -> None:
    """The live gate reached the step's maximum without a decision: an Admin decides."""
    message = f"Paused: step {step.index + 1} ({step.label}) is inconclusive. {why}"
    _save(plan, status=RolloutPlan.Status.PAUSED, message=message)
    record(plan, action="paused", summary=f"{plan}: {message}")
    notify_release_event(plan=plan, event="inconclusive", message=message)


def _complete(plan: RolloutPlan, now) -> None:
    promoted = plan.steps.filter(kind=RolloutStep.Kind.PROMOTE, state=State.PASSED).exists()
    message = ("Completed: the candidate is main." if promoted
               else "Completed without promoting: the last step's canary rules stay live.")
    _save(plan, status=RolloutPlan.Status.COMPLETED, finished_at=now, message=message)
    record(plan, action="completed", summary=f"{plan}: {message}")
    notify_release_event(plan=plan, event="completed", message=message)


def abort(plan: RolloutPlan, *, reason: str, user=None) -> RolloutPlan:
    """Stop the plan and put back the canary rules live before it (main is not touched)."""
    _save(plan, status=RolloutPlan.Status.ABORTING, message=reason)
    plan.approvals.filter(status=ApprovalRequest.Status.PENDING).update(status=ApprovalRequest.Status.REJECTED,
                                                                       comment="The plan was aborted.")
    record(plan, action="abort", summary=f"Aborted {plan}: {reason}", user=user)
    notify_release_event(plan=plan, event="aborted", message=reason)
    restore_before_plan(plan, user=user)
    return plan


def restore_before_plan(plan: RolloutPlan, *, user=None) -> bool:
    """Restore (or delete) the canary deploy as it was before the plan. On a Telnyx failure the
    plan stays `aborting` and says so; the next advance tries again."""
    actor = user or engine_actor(plan)
    try:
        if plan.rules_before is None:
            canary_services.canary_delete(user=actor, assistant_id=plan.assistant_id)
        else:
            canary_services.canary_save(user=actor, assistant_id=plan.assistant_id, rules=plan.rules_before)
    except TelnyxError as exc:
        _save(plan, message=f"{plan.message.split(' Restoring')[0]} Restoring the canary rules from before the "
                            f"plan failed: {exc.user_message} The next advance tries again.")
        return False
    restored = "the canary deploy from before the plan is back" if plan.rules_before is not None \
        else "the canary deploy was removed (there was none before the plan)"
    _save(plan, status=RolloutPlan.Status.ABORTED, finished_at=timezone.now(),
          message=f"{plan.message.split(' Restoring')[0]} Main is untouched; {restored}.")
    record(plan, action="restored", summary=f"{plan}: {restored}", user=user)
    return True
