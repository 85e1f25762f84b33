"""Approvals: everything that sends live traffic to a version that is not main (a promotion, a
rollout plan's steps, a held step, a canary save), and turning two-person approval off.

With two-person approval the requester cannot approve their own request. Every request
expires (RELEASES_APPROVAL_TTL_HOURS) and binds to the digest of what it covers
(`releases.services.digest`): approving, and later using, an approval re-reads that content
from Telnyx, and a difference voids it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from assistants.services.canary import canary_fetch
from core import audit
from portal.roles import ADMINISTER, require_perm
from releases.models import ApprovalRequest
from releases.services.alerts import notify_release_event
from releases.services.digest import ContentUnreadable, current_digest
from releases.services.policy import RESOURCE_TYPE, approval_lifetime, two_person_required

Kind, Status = ApprovalRequest.Kind, ApprovalRequest.Status


class ApprovalRefused(Exception):
    """The request cannot be decided or used (expired, already decided, void, or your own)."""


def plan_content(plan) -> list[dict]:
    """A plan's steps as the approval covers them (the steps of a plan never change after it is made)."""
    return [{"kind": s.kind, "weight": s.weight, "match": s.match, "hold_for_approval": s.hold_for_approval}
            for s in plan.steps.order_by("index")]


def digest_now(request: ApprovalRequest, *, user) -> str:
    """The digest of what `request` covers, read from Telnyx now. Raises ContentUnreadable."""
    if request.kind == Kind.CANARY:
        rules = request.payload.get("rules") or []
        live = canary_fetch(user=user, assistant_id=request.assistant_id)
        versions = {request.version_id} | _rule_versions(rules)
        return current_digest(user=user, assistant_id=request.assistant_id, version_ids=versions, rules=rules,
                              extra={"live rules": live.rules if live.exists else None})
    if request.kind == Kind.POLICY:
        return current_digest(user=user, assistant_id=request.assistant_id, version_ids=[], extra=request.payload)
    extra = {"kind": request.kind}
    if request.plan_id:
        extra["steps"] = plan_content(request.plan)
    return current_digest(user=user, assistant_id=request.assistant_id, version_ids=[request.version_id], extra=extra)


def _rule_versions(rules: list) -> set[str]:
    found = set()
    for rule in rules or []:
        serve = rule.get("serve") or {}
        found |= {serve["version_id"]} if serve.get("version_id") else set()
        found |= {slot.get("version_id", "") for slot in serve.get("rollout") or []}
    return {v for v in found if v}


def approval_open(*, user, kind: str, assistant_id: str, version_id: str = "", plan=None, step=None,
                  payload: dict | None = None, override_reason: str = "", summary: str, digest: str = "") -> ApprovalRequest:
    """A new pending request in `user`'s name, bound to the digest of what it covers now
    (computed here unless given). Audited; Admins are alerted when it belongs to a plan."""
    now = timezone.now()
    request = ApprovalRequest(
        assistant_id=assistant_id, version_id=version_id, kind=kind, plan=plan, step=step, payload=payload or {},
        requested_by=user if getattr(user, "is_authenticated", False) else None,
        requested_by_name=user.username, requested_at=now, expires_at=now + approval_lifetime(),
        needs_second_admin=two_person_required(assistant_id), override_reason=override_reason)
    request.digest = digest or digest_now(request, user=user)
    request.save()
    audit.record(user=user, action="approval requested", resource_type=RESOURCE_TYPE, resource_id=assistant_id,
                 summary=summary, changes={"digest": {"before": None, "after": request.digest}})
    if plan is not None:
        notify_release_event(plan=plan, event="approval needed", approval=request,
                             message=f"{summary}{' (not ' + request.requested_by_name + ', who asked)' if request.needs_second_admin else ''}.")
    return request


def step_approval(*, plan, step) -> ApprovalRequest:
    """The approval a held step waits for: the open or approved one, or a new request in the
    name of the plan's starter (so with two-person approval someone else must approve)."""
    now = timezone.now()
    latest = step.approvals.first()
    # A rejection stands (the engine aborts on it); an expired or void request is asked again.
    if latest is not None and (latest.status == Status.REJECTED or
                               (latest.status not in (Status.USED, Status.VOID) and not latest.is_expired(now))):
        return latest
    return approval_open(user=plan.created_by, kind=Kind.STEP, assistant_id=plan.assistant_id,
                         version_id=plan.candidate_version_id, plan=plan, step=step,
                         summary=f"Step {step.index + 1} ({step.label}) of {plan} is held until an Admin approves")


def _void(request: ApprovalRequest, why: str) -> None:
    ApprovalRequest.objects.filter(pk=request.pk).update(status=Status.VOID, comment=why)
    request.status, request.comment = Status.VOID, why
    audit.record(user=None, action="approval void", resource_type=RESOURCE_TYPE, resource_id=request.assistant_id,
                 summary=f"Approval #{request.pk} ({request.get_kind_display().lower()}) is void: {why}")


CHANGED = "what it covers changed after it was asked for (the version's configuration or the canary rules)"


def still_matches(request: ApprovalRequest, *, user) -> bool:
    """Whether what `request` covers is unchanged; a changed one is made void (and audited).
    Raises ApprovalRefused when Telnyx cannot be read (nothing is used unchecked)."""
    try:
        now = digest_now(request, user=user)
    except ContentUnreadable as exc:
        raise ApprovalRefused(str(exc)) from exc
    if now != request.digest:
        _void(request, CHANGED)
        return False
    return True


def _decide(*, user, request: ApprovalRequest, status: str, comment: str) -> ApprovalRequest:
    require_perm(user, ADMINISTER)
    now = timezone.now()
    if request.needs_second_admin and request.requested_by_id == user.pk:
        raise PermissionDenied("You asked for this approval: a second Admin must decide it.")
    if request.is_expired(now):
        raise ApprovalRefused("This request has expired. Ask again if it is still wanted.")
    if request.status == Status.PENDING and status == Status.APPROVED and not still_matches(request, user=user):
        raise ApprovalRefused(f"This request is void: {CHANGED}. Nothing was approved; ask again to review the new content.")
    # Conditional update: two Admins deciding at once cannot both win.
    decided = ApprovalRequest.objects.filter(pk=request.pk, status=Status.PENDING).update(
        status=status, decided_by=user, decided_by_name=user.username, decided_at=now, comment=comment)
    if not decided:
        raise ApprovalRefused("Someone has already decided this request.")
    request.refresh_from_db()
    verb = "Approved" if status == Status.APPROVED else "Rejected"
    audit.record(user=user, action="approve" if status == Status.APPROVED else "reject",
                 resource_type=RESOURCE_TYPE, resource_id=request.assistant_id,
                 summary=f"{verb} {describe(request)} (asked by {request.requested_by_name or 'someone'})"
                         + (f": {comment}" if comment else ""),
                 changes={"digest": {"before": None, "after": request.digest}})
    return request


def describe(request: ApprovalRequest) -> str:
    """What the request asks for, in words, for audit summaries."""
    if request.kind == Kind.PROMOTION:
        return f"promoting version {request.version_id}"
    if request.kind == Kind.STEP:
        return f"step {request.step.index + 1} of version {request.version_id}"
    if request.kind == Kind.PLAN:
        return f"the rollout of version {request.version_id} (plan #{request.plan_id})"
    if request.kind == Kind.CANARY:
        return "new canary rules"
    return "turning two-person approval off"


def approval_approve(*, user, request: ApprovalRequest, comment: str = "") -> ApprovalRequest:
    """Approve; a plan that waits for it moves on at its next advance."""
    return _decide(user=user, request=request, status=Status.APPROVED, comment=comment)


def approval_reject(*, user, request: ApprovalRequest, comment: str = "") -> ApprovalRequest:
    return _decide(user=user, request=request, status=Status.REJECTED, comment=comment)


def approval_use(request: ApprovalRequest, *, user) -> bool:
    """Mark an approved request carried out, if what it covers is unchanged (else it is void).
    A conditional update: an approval is used once."""
    if request.status != Status.APPROVED or request.is_expired(timezone.now()):
        return False
    if not still_matches(request, user=user):
        return False
    return bool(ApprovalRequest.objects.filter(pk=request.pk, status=Status.APPROVED).update(status=Status.USED))


def approval_ask_again(*, user, request: ApprovalRequest) -> ApprovalRequest:
    """A fresh request for what an expired or void one asked, covering the content as it is now."""
    require_perm(user, ADMINISTER)
    if request.status not in (Status.VOID,) and not request.is_expired(timezone.now()):
        raise ApprovalRefused("This request has neither expired nor been voided: it can still be decided.")
    if request.plan_id and not request.plan.is_active:
        raise ApprovalRefused("Its rollout plan has finished: there is nothing to ask again for.")
    try:
        return approval_open(user=user, kind=request.kind, assistant_id=request.assistant_id,
                             version_id=request.version_id, plan=request.plan, step=request.step,
                             payload=request.payload, override_reason=request.override_reason,
                             summary=f"Asked again for {describe(request)} (request #{request.pk} "
                                     f"{'expired' if request.status != Status.VOID else 'was void'})")
    except ContentUnreadable as exc:
        raise ApprovalRefused(str(exc)) from exc
