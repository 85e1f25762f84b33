"""A rollout plan against the sandbox over HTTP: two steps advance on a fast clock, then a
candidate told to score lower is aborted by the live-traffic gate and the rules restored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from assistants.services import chat as chat_services
from portal.models import AuditEvent
from portal.telnyx import NotFoundError, get_client
from releases.models import GateResult, RolloutPlan, RolloutStep
from releases.services import plans
from releases.tasks import advance_due_plans

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sales(sandbox):
    call_command("sandbox_seed", "--demo", verbosity=0)
    assistant = next(a for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Sales Qualifier")
    versions = get_client().get(f"ai/assistants/{assistant['id']}/versions").data["data"]
    candidate = next(v["version_id"] for v in versions if v["version_id"] != assistant["version_id"])
    return assistant["id"], assistant["version_id"], candidate


def _chat(user, assistant_id: str, n: int) -> None:
    for i in range(n):
        chat_services.chat_send(user=user, assistant_id=assistant_id, content=f"I'd like a quote, lead {i}")


def _fast_forward(seconds: int):
    """The task, run as beat would after `seconds`: the engine's clock, moved on."""
    from releases.services import engine
    later = timezone.now() + timedelta(seconds=seconds)
    return [engine.rollout_advance(plan, now=later) for plan in RolloutPlan.objects.filter(status="running")]


def test_plan_advances_two_steps_then_aborts_a_degraded_candidate(team_admin, sales, settings):
    settings.RELEASES_ALERT_EMAILS = ["oncall@example.com"]
    assistant_id, main_id, candidate_id = sales
    live = [{"kind": RolloutStep.Kind.PERCENT, "weight": w, "hold_seconds": 600, "gate_live": True} for w in (30, 50)]
    plan = plans.plan_create(user=team_admin, assistant_id=assistant_id, candidate_version_id=candidate_id,
                             candidate_name="older", steps=[*live, {"kind": RolloutStep.Kind.PERCENT, "weight": 60,
                                                                   "hold_seconds": 600, "gate_live": True},
                                                            {"kind": RolloutStep.Kind.PROMOTE}],
                             suite_threshold=1.0, min_sample=8, alpha=0.01, metrics="score, resolved")
    plan = plans.plan_start(user=team_admin, plan=plan)
    assert get_client().get(f"ai/assistants/{assistant_id}/canary-deploys").data["rules"] == [
        {"serve": {"rollout": [{"version_id": candidate_id, "weight": 30.0}]}}]

    # Step 1: traffic at 30%, the hold has not passed yet, nothing moves.
    _chat(team_admin, assistant_id, 40)
    advance_due_plans()
    plan.refresh_from_db()
    assert plan.current_step == 0 and "Holding 30% of traffic" in plan.message
    # Ten minutes later (fast clock): the live gate compares the versions, passes, step 2 goes live.
    (plan,) = _fast_forward(601)
    assert plan.current_step == 1, plan.message
    first_gate = GateResult.objects.get(step__index=0)
    assert first_gate.verdict == "pass" and first_gate.details["counts"][candidate_id] >= 8
    assert get_client().get(f"ai/assistants/{assistant_id}/canary-deploys").data["rules"][0]["serve"]["rollout"][0]["weight"] == 50.0

    # Step 2 passes too on healthy traffic; step 3 goes live.
    _chat(team_admin, assistant_id, 30)
    (plan,) = _fast_forward(601)
    assert plan.current_step == 2 and GateResult.objects.get(step__index=1).verdict == "pass"

    # The candidate degrades: the sandbox scores its conversations lower.
    call_command("sandbox_score_version", candidate_id, "--penalty", "0.35", verbosity=0)
    _chat(team_admin, assistant_id, 40)
    (plan,) = _fast_forward(601)
    assert plan.status == RolloutPlan.Status.ABORTED
    gate = GateResult.objects.get(step__index=2)
    assert gate.verdict == "fail" and "worse than main on “score”" in gate.summary
    assert "Main is untouched; the canary deploy was removed (there was none before the plan)" in plan.message
    with pytest.raises(NotFoundError):
        get_client().get(f"ai/assistants/{assistant_id}/canary-deploys")
    assert get_client().get(f"ai/assistants/{assistant_id}").data["version_id"] == main_id
    assert "aborted" in mail.outbox[-1].subject
    actions = list(AuditEvent.objects.filter(resource_type="release").order_by("pk").values_list("action", flat=True))
    assert actions == ["plan created", "start", "step applied", "step passed", "step applied", "step passed",
                       "step applied", "abort", "restored"]
