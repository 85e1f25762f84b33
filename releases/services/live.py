"""Changes by hand to what callers get, seen from releases: a canary save or two-person approval
switched off waits for a second Admin when the rule is on, and a plan running while an Admin
changes the rules or promotes by hand is paused or ended (and says why).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from assistants.services import canary as canary_services
from portal.roles import ADMINISTER, require_perm
from releases.models import ApprovalRequest, RolloutPlan
from releases.services import engine
from releases.services.alerts import notify_release_event
from releases.services.approvals import ApprovalRefused, approval_open, approval_use
from releases.services.digest import served_versions
from releases.services.policy import policy_set, two_person_required

Kind, Status = ApprovalRequest.Kind, ApprovalRequest.Status


def canary_approval(*, user, assistant_id: str, rules: list[dict], main_version_id: str) -> ApprovalRequest | None:
    """None: the rules may be saved now. Otherwise the request they wait for: with two-person
    approval on, rules that serve any version other than main (a catch-all rule included) need
    a second Admin, who saves them by approving. Raises TelnyxError if the live rules cannot be read."""
    require_perm(user, ADMINISTER)
    versions = served_versions(rules, main_version_id=main_version_id)
    if not versions or not two_person_required(assistant_id):
        return None
    live = canary_services.canary_fetch(user=user, assistant_id=assistant_id)
    payload = {"rules": rules, "before": live.rules if live.exists else None}
    waiting = ApprovalRequest.objects.filter(assistant_id=assistant_id, kind=Kind.CANARY, status=Status.PENDING,
                                             requested_by=user, expires_at__gt=timezone.now())
    for request in waiting:
        if request.payload == payload:  # the same save again: no twin
            return request
    return approval_open(user=user, kind=Kind.CANARY, assistant_id=assistant_id, version_id=sorted(versions)[0],
                         payload=payload,
                         summary=f"Asked a second Admin to approve canary rules sending traffic to {', '.join(sorted(versions))}")


def canary_carry_out(*, user, request: ApprovalRequest) -> list[dict]:
    """The approver saves the approved rules, if nothing changed since they were asked for."""
    if not approval_use(request, user=user):
        raise ApprovalRefused("The approval could not be used: the canary rules or a version they serve changed "
                              "after it was asked for, so it is void. Ask again.")
    before = request.payload.get("before")
    return canary_services.canary_save(user=user, assistant_id=request.assistant_id, rules=request.payload["rules"],
                                       loaded_rules=before or [])


def policy_change(*, user, assistant_id: str, on: bool) -> ApprovalRequest | None:
    """Turn two-person approval on (at once) or off: while it is on, turning it off is itself a
    change a second Admin approves. Returns the request that waits, or None when done."""
    require_perm(user, ADMINISTER)
    if on or not two_person_required(assistant_id):
        policy_set(user=user, assistant_id=assistant_id, two_person_approval=on)
        return None
    waiting = ApprovalRequest.objects.filter(assistant_id=assistant_id, kind=Kind.POLICY, status=Status.PENDING,
                                             expires_at__gt=timezone.now()).first()
    return waiting or approval_open(user=user, kind=Kind.POLICY, assistant_id=assistant_id,
                                    payload={"two_person_approval": False},
                                    summary="Asked a second Admin to approve turning two-person approval off")


def policy_carry_out(*, user, request: ApprovalRequest) -> None:
    if not approval_use(request, user=user):
        raise ApprovalRefused("The approval could not be used; ask again.")
    policy_set(user=user, assistant_id=request.assistant_id, two_person_approval=False, approved=True)


def plan_interrupted(*, user, assistant_id: str, what: str, promoted_version_id: str = "") -> list[str]:
    """An Admin changed what callers get by hand while a plan ran: a promotion ends the plan
    (Telnyx dropped its canary rules; nothing is restored over the new main); a canary change
    pauses it with those rules live, and resuming re-applies its current step. Says so."""
    plan = RolloutPlan.objects.filter(assistant_id=assistant_id).filter(
        Q(status=RolloutPlan.Status.RUNNING) | Q(status=RolloutPlan.Status.PAUSED)).first()
    if plan is None:
        return []
    now = timezone.now()
    if promoted_version_id:
        message = (f"Ended: {user.username} promoted version {promoted_version_id} by hand while the plan ran. "
                   "Telnyx dropped the canary rules with the promotion, so nothing was restored.")
        updated = RolloutPlan.objects.filter(pk=plan.pk, status__in=[RolloutPlan.Status.RUNNING, RolloutPlan.Status.PAUSED]) \
            .update(status=RolloutPlan.Status.ABORTED, finished_at=now, message=message)
        event = "ended"
        plan.approvals.filter(status=Status.PENDING).update(status=Status.REJECTED, comment="The plan ended.")
    else:
        message = (f"Paused: {user.username} {what} by hand while the plan ran; those rules stay live. "
                   f"Resume to apply step {plan.current_step + 1} again, or abort to restore the rules from before the plan.")
        updated = RolloutPlan.objects.filter(pk=plan.pk, status__in=[RolloutPlan.Status.RUNNING, RolloutPlan.Status.PAUSED]) \
            .update(status=RolloutPlan.Status.PAUSED, interrupted_at=now, message=message)
        event = "paused"
    if not updated:
        return []
    plan.refresh_from_db()
    engine.record(plan, action=event, user=user, summary=f"{plan}: {message}")
    notify_release_event(plan=plan, event=event, message=message)
    return [f"Rollout plan #{plan.pk} ({plan}) — {message}"]
