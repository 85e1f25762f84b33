"""One approval request: the diff against main and the gate results, and Approve / Reject."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from assistants.compare import compare
from assistants.services.assistants import assistant_fetch
from assistants.services.versions import version_fetch, version_promote
from portal.roles import ADMINISTER, read_required, require_perm
from portal.telnyx import TelnyxError
from releases import selectors
from releases.models import ApprovalRequest
from releases.services import approvals as services
from releases.services.engine import rollout_advance
from releases.services.promotion import promotion_check, promotion_gate
from releases.views.plans import _base


def _carry_out(request: HttpRequest, approval: ApprovalRequest, main_version_id: str) -> None:
    """After approving: a plan moves on; a promotion asked for by hand is made now, by the approver."""
    if approval.plan_id:
        plan = rollout_advance(approval.plan)
        messages.success(request, f"Approved. The plan: {plan.message}")
        return
    decision = promotion_gate(user=request.user, assistant_id=approval.assistant_id, version_id=approval.version_id,
                              override_reason=approval.override_reason)
    if not decision.allowed:
        messages.error(request, decision.refusal or "The promotion is still waiting for approval.")
        return
    try:
        version_promote(user=request.user, assistant_id=approval.assistant_id, version_id=approval.version_id,
                        from_version_id=main_version_id)
    except TelnyxError as exc:
        messages.error(request, f"Approved, but the promotion failed. {exc.user_message}")
    else:
        messages.success(request, "Approved and promoted: the version is main now.")


@require_http_methods(["GET", "POST"])
@read_required
def approval_detail(request: HttpRequest, assistant_id: str, approval_id: int) -> HttpResponse:
    if request.method == "POST":
        require_perm(request.user, ADMINISTER)
    approval = get_object_or_404(selectors.approvals_with_steps(), pk=approval_id, assistant_id=assistant_id)
    main = assistant_fetch(user=request.user, assistant_id=assistant_id).data
    if request.method == "POST":
        comment = request.POST.get("comment", "").strip()
        try:
            if request.POST.get("decision") == "approve":
                services.approval_approve(user=request.user, request=approval, comment=comment)
                _carry_out(request, approval, str(main.get("version_id") or ""))
            else:
                services.approval_reject(user=request.user, request=approval, comment=comment)
                if approval.plan_id:
                    rollout_advance(approval.plan)
                messages.success(request, "Rejected.")
        except (services.ApprovalRefused, PermissionDenied) as exc:
            messages.error(request, str(exc))
        return redirect("releases:approval-detail", assistant_id=assistant_id, approval_id=approval.pk)
    version = version_fetch(user=request.user, assistant_id=assistant_id, version_id=approval.version_id).data
    return render(request, "releases/approval_detail.html", {
        **_base(assistant_id), "approval": approval, "comparison": compare(main, version), "version": version,
        "expired": approval.is_expired(timezone.now()),
        "own": approval.needs_second_admin and approval.requested_by_id == request.user.pk,
        "gates": approval.plan.gate_results.select_related("step") if approval.plan_id else [],
        "check": promotion_check(assistant_id=assistant_id, version_id=approval.version_id),
    })
