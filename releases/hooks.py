"""Releases' part of the assistant pages, plugged in through `assistants.hooks` (see apps.py)."""

from __future__ import annotations

from django.urls import reverse

from assistants.hooks import GateAnswer
from releases import selectors
from releases.services.promotion import promotion_check, promotion_gate


def canary_panel(request, assistant_id: str, **page) -> dict:
    """The canary page's card of the rollout plan in progress (or none)."""
    return {"rollout": selectors.active_plan(assistant_id)}


def promote_panel(request, assistant_id: str, *, version_id: str, **page) -> dict:
    """The promote page's gate: did the latest suite run on this version pass; the override box."""
    return {"promotion_check": promotion_check(assistant_id=assistant_id, version_id=version_id),
            "override_reason": request.POST.get("override_reason", "")}


def suite_gate(*, user, assistant_id: str, version_id: str, post) -> GateAnswer:
    """Refuses a version whose latest suite run did not pass (unless an Admin overrides with a
    reason) and routes it to a second Admin when that is required."""
    gate = promotion_gate(user=user, assistant_id=assistant_id, version_id=version_id,
                          override_reason=post.get("override_reason", ""))
    if not gate.allowed and gate.approval is not None:
        return GateAnswer(False, wait_url=reverse("releases:approval-detail", args=[assistant_id, gate.approval.pk]),
                          wait_message="Promotion needs a second Admin's approval: the request is waiting for them.")
    return GateAnswer(gate.allowed, refusal=gate.refusal)
