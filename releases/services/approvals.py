"""Approving a promotion or a held step. With two-person approval the requester cannot
approve their own request; every request expires (RELEASES_APPROVAL_TTL_HOURS)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core import audit
from portal.roles import ADMINISTER, require_perm
from releases.models import ApprovalRequest
from releases.services.alerts import notify_release_event
from releases.services.policy import RESOURCE_TYPE, approval_lifetime, two_person_required


class ApprovalRefused(Exception):
    """The request cannot be decided (expired, already decided, or your own)."""


def step_approval(*, plan, step) -> ApprovalRequest:
    """The approval a held step waits for: the open or approved one, or a new request in the
    name of the plan's starter (so with two-person approval someone else must approve)."""
    now = timezone.now()
    latest = step.approvals.first()
    # A rejection stands (the engine aborts on it); an expired request is asked again.
    if latest is not None and (latest.status == ApprovalRequest.Status.REJECTED or
                               (latest.status != ApprovalRequest.Status.USED and not latest.is_expired(now))):
        return latest
    request = ApprovalRequest.objects.create(
        assistant_id=plan.assistant_id, version_id=plan.candidate_version_id, kind=ApprovalRequest.Kind.STEP,
        plan=plan, step=step, requested_by=plan.created_by, requested_by_name=plan.created_by_name,
        requested_at=now, expires_at=now + approval_lifetime(),
        needs_second_admin=two_person_required(plan.assistant_id),
    )
    audit.record(user=plan.created_by, action="approval requested", resource_type=RESOURCE_TYPE,
                 resource_id=plan.assistant_id, resource_label=str(plan),
                 summary=f"Step {step.index + 1} ({step.label}) of {plan} is held until an Admin approves")
    # The Admins who can approve are told (email and webhook), once per request.
    notify_release_event(plan=plan, event="approval needed", approval=request,
                         message=f"Step {step.index + 1} ({step.label}) is held until an Admin approves it"
                                 f"{' (not ' + plan.created_by_name + ', who started the plan)' if request.needs_second_admin else ''}.")
    return request


def _decide(*, user, request: ApprovalRequest, status: str, comment: str) -> ApprovalRequest:
    require_perm(user, ADMINISTER)
    now = timezone.now()
    if request.needs_second_admin and request.requested_by_id == user.pk:
        raise PermissionDenied("You asked for this approval: a second Admin must decide it.")
    if request.is_expired(now):
        raise ApprovalRefused("This request has expired. Ask again if it is still wanted.")
    # Conditional update: two Admins deciding at once cannot both win.
    decided = ApprovalRequest.objects.filter(pk=request.pk, status=ApprovalRequest.Status.PENDING).update(
        status=status, decided_by=user, decided_by_name=user.username, decided_at=now, comment=comment)
    if not decided:
        raise ApprovalRefused("Someone has already decided this request.")
    request.refresh_from_db()
    what = "promoting" if request.kind == ApprovalRequest.Kind.PROMOTION else f"step {request.step.index + 1} of"
    audit.record(user=user, action="approve" if status == ApprovalRequest.Status.APPROVED else "reject",
                 resource_type=RESOURCE_TYPE, resource_id=request.assistant_id,
                 summary=f"{'Approved' if status == ApprovalRequest.Status.APPROVED else 'Rejected'} {what} "
                         f"version {request.version_id} (asked by {request.requested_by_name or 'someone'})"
                         + (f": {comment}" if comment else ""))
    return request


def approval_approve(*, user, request: ApprovalRequest, comment: str = "") -> ApprovalRequest:
    """Approve; a plan that waits for it moves on at its next advance."""
    return _decide(user=user, request=request, status=ApprovalRequest.Status.APPROVED, comment=comment)


def approval_reject(*, user, request: ApprovalRequest, comment: str = "") -> ApprovalRequest:
    return _decide(user=user, request=request, status=ApprovalRequest.Status.REJECTED, comment=comment)
