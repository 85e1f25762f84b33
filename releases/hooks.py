"""Releases' part of the assistant pages, plugged in through `assistants.hooks` (see apps.py)."""

from __future__ import annotations

from django.urls import reverse

from assistants.hooks import GateAnswer
from assistants.selectors import version_names_of
from portal.telnyx import TelnyxError
from releases import selectors
from releases.services import live
from releases.services.digest import ContentUnreadable
from releases.services.policy import two_person_required
from releases.services.promotion import promotion_check, promotion_gate


def canary_panel(request, assistant_id: str, **page) -> dict:
    """The canary page's card of the rollout plan in progress (or none)."""
    return {"rollout": selectors.active_plan(assistant_id)}


def promote_panel(request, assistant_id: str, *, version_id: str, **page) -> dict:
    """The promote page's gate: did the latest suite run on this version pass; the override box,
    naming the version it overrides for (its name linked, the id below) and each suite run it read."""
    check = promotion_check(assistant_id=assistant_id, version_id=version_id)
    return {"promotion_check": check, "override_reason": request.POST.get("override_reason", ""),
            "gate_version": {"id": version_id, "name": version_names_of(assistant_id, [version_id]).get(version_id, ""),
                             "url": reverse("assistants:version-detail", args=[assistant_id, version_id])},
            "gate_runs": [{"suite": run.suite, "url": reverse("testing:suite-run-detail", args=[run.suite, run.batch_id]),
                           "batch_id": run.batch_id} for run in check.suite_runs]}


def suite_gate(*, user, assistant_id: str, version_id: str, post, rollback: bool = False) -> GateAnswer:
    """Refuses a version whose release suites have not passed on it (unless an Admin overrides
    with a reason; a rollback to the previous main is not checked) and routes it to a second
    Admin when that is required."""
    gate = promotion_gate(user=user, assistant_id=assistant_id, version_id=version_id,
                          override_reason=post.get("override_reason", ""), check_suites=not rollback)
    if not gate.allowed and gate.approval is not None:
        what = "Rolling back" if rollback else "Promotion"
        return GateAnswer(False, wait_url=reverse("releases:approval-detail", args=[assistant_id, gate.approval.pk]),
                          wait_message=f"{what} needs a second Admin's approval: the request is waiting for them.")
    return GateAnswer(gate.allowed, refusal=gate.refusal)


def canary_gate(*, user, assistant_id: str, rules: list[dict], main_version_id: str) -> GateAnswer:
    """With two-person approval on, rules that send traffic to a version other than main wait
    for a second Admin, who saves them by approving."""
    try:
        approval = live.canary_approval(user=user, assistant_id=assistant_id, rules=rules,
                                        main_version_id=main_version_id)
    except (TelnyxError, ContentUnreadable) as exc:
        return GateAnswer(False, refusal=f"Could not ask for approval of these rules. {getattr(exc, 'user_message', exc)}")
    if approval is None:
        return GateAnswer(True)
    return GateAnswer(False, wait_url=reverse("releases:approval-detail", args=[assistant_id, approval.pk]),
                      wait_message="These rules send traffic to a version other than main: they are saved when a "
                                   "second Admin approves them.")


def plan_interrupted(*, user, assistant_id: str, what: str, promoted_version_id: str = "") -> list[str]:
    return live.plan_interrupted(user=user, assistant_id=assistant_id, what=what, promoted_version_id=promoted_version_id)


def release_note(assistant_id: str) -> str:
    """Said after the Change tab saves a version: with the rule on, no one Admin makes it live."""
    if not two_person_required(assistant_id):
        return ""
    return ("Two-person approval is on: making it live needs a second Admin's approval, "
            "asked for on its Make live page.")


def live_edit_blocker(assistant_id: str, what: str) -> str:
    """With the rule on, a write that promotes a new main version at once would skip the second Admin."""
    if not two_person_required(assistant_id):
        return ""
    return (f"Two-person approval is on for this assistant: {what[0].lower()}{what[1:]} would change what callers "
            "get at once, without a second Admin. Make the change on a new version through the Change tab, then "
            "Make live, which asks a second Admin to approve.")


def trial_blocker(assistant_id: str) -> str:
    """A trial chat's temporary rule would race a rollout plan writing the canary rules."""
    plan = selectors.active_plan(assistant_id)
    if plan is None:
        return ""
    return (f"rollout plan #{plan.pk} ({plan.get_status_display().lower()}) owns the canary rules now; "
            "try the version once it has finished, or through its test suites.")
