"""One approval request: what it covers (the diff against main, the canary rules before and
after), whether that is still what it was, who set the people's credentials, and Approve /
Reject, or Ask again once it expired or went void."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from assistants.canary.display import bars_from_rules
from assistants.compare import compare
from assistants.models import PromotionRecord
from assistants.services.assistants import assistant_fetch
from assistants.services.versions import version_fetch, version_promote
from assistants.views.gate_answers import tell_live_change
from core.credentials import last_set_by_someone_else
from portal.roles import ADMINISTER, read_required, require_perm
from portal.telnyx import TelnyxError
from releases import selectors
from releases.models import ApprovalRequest
from releases.services import approvals as services
from releases.services import live
from releases.services.digest import ContentUnreadable
from releases.services.engine import rollout_advance
from releases.services.promotion import promotion_check, promotion_gate
from releases.views.plans import _base

Kind = ApprovalRequest.Kind


def _promote(request: HttpRequest, approval: ApprovalRequest, main_version_id: str) -> None:
    """A promotion (or rollback) asked for by hand is made now, by the approver."""
    rollback = bool(approval.payload.get("rollback"))
    decision = promotion_gate(user=request.user, assistant_id=approval.assistant_id, version_id=approval.version_id,
                              override_reason=approval.override_reason, check_suites=not rollback)
    if not decision.allowed:
        messages.error(request, decision.refusal or "The promotion is still waiting for approval.")
        return
    try:
        version_promote(user=request.user, assistant_id=approval.assistant_id, version_id=approval.version_id,
                        from_version_id=main_version_id,
                        kind=PromotionRecord.Kind.ROLLBACK if rollback else PromotionRecord.Kind.PROMOTE)
    except TelnyxError as exc:
        messages.error(request, f"Approved, but the promotion failed. {exc.user_message}")
        return
    messages.success(request, "Approved and promoted: the version is main now.")
    tell_live_change(request, approval.assistant_id, "promoted a version", promoted_version_id=approval.version_id)


def _carry_out(request: HttpRequest, approval: ApprovalRequest, main_version_id: str) -> None:
    """After approving: a plan moves on; anything asked for by hand is done now, by the approver."""
    if approval.plan_id:
        plan = rollout_advance(approval.plan)
        messages.success(request, f"Approved. The plan: {plan.message}")
    elif approval.kind == Kind.PROMOTION:
        _promote(request, approval, main_version_id)
    elif approval.kind == Kind.CANARY:
        live.canary_carry_out(user=request.user, request=approval)
        messages.success(request, "Approved and saved: the canary rules are live.")
        tell_live_change(request, approval.assistant_id, "saved new canary rules")
    elif approval.kind == Kind.POLICY:
        live.policy_carry_out(user=request.user, request=approval)
        messages.success(request, "Approved: two-person approval is off for this assistant.")


def _decide(request: HttpRequest, approval: ApprovalRequest, main_version_id: str) -> ApprovalRequest:
    decision, comment = request.POST.get("decision"), request.POST.get("comment", "").strip()
    try:
        if decision == "ask-again":
            fresh = services.approval_ask_again(user=request.user, request=approval)
            messages.success(request, "Asked again: a new request covers the content as it is now.")
            return fresh
        if decision == "approve":
            services.approval_approve(user=request.user, request=approval, comment=comment)
            _carry_out(request, approval, main_version_id)
        else:
            services.approval_reject(user=request.user, request=approval, comment=comment)
            if approval.plan_id:
                rollout_advance(approval.plan)
            messages.success(request, "Rejected.")
    except (services.ApprovalRefused, PermissionDenied) as exc:
        messages.error(request, str(exc))
    except TelnyxError as exc:
        messages.error(request, f"Approved, but carrying it out failed. {exc.user_message}")
    return approval


def _still_as_asked(request: HttpRequest, approval: ApprovalRequest) -> bool | None:
    """Whether what a waiting request covers is unchanged (None: Telnyx could not say)."""
    if approval.status != ApprovalRequest.Status.PENDING or not approval.digest:
        return True
    try:
        return services.digest_now(approval, user=request.user) == approval.digest
    except (ContentUnreadable, TelnyxError):
        return None


@require_http_methods(["GET", "POST"])
@read_required
def approval_detail(request: HttpRequest, assistant_id: str, approval_id: int) -> HttpResponse:
    if request.method == "POST":
        require_perm(request.user, ADMINISTER)
    approval = get_object_or_404(selectors.approvals_with_steps(), pk=approval_id, assistant_id=assistant_id)
    main = assistant_fetch(user=request.user, assistant_id=assistant_id).data
    if request.method == "POST":
        shown = _decide(request, approval, str(main.get("version_id") or ""))
        return redirect("releases:approval-detail", assistant_id=assistant_id, approval_id=shown.pk)
    version = (version_fetch(user=request.user, assistant_id=assistant_id, version_id=approval.version_id).data
               if approval.version_id else {})
    labels = selectors.version_labels(assistant_id)
    people = [(role, user, last_set_by_someone_else(user)) for role, user in
              (("asked", approval.requested_by), ("decided", approval.decided_by),
               ("you", request.user if approval.status == ApprovalRequest.Status.PENDING else None)) if user is not None]
    return render(request, "releases/approval_detail.html", {
        **_base(assistant_id), "approval": approval, "comparison": compare(main, version) if version else None,
        "version": version,
        "expired": approval.is_expired(timezone.now()),
        "unchanged": _still_as_asked(request, approval),
        "own": approval.needs_second_admin and approval.requested_by_id == request.user.pk,
        "gates": approval.plan.gate_results.select_related("step") if approval.plan_id else [],
        "check": promotion_check(assistant_id=assistant_id, version_id=approval.version_id)
        if approval.kind in (Kind.PROMOTION, Kind.PLAN) else None,
        "rules_before": bars_from_rules(approval.payload.get("before") or [], labels) if approval.kind == Kind.CANARY else [],
        "rules_after": bars_from_rules(approval.payload.get("rules") or [], labels) if approval.kind == Kind.CANARY else [],
        "credentials": [(role, user, note) for role, user, note in people if note is not None],
    })
