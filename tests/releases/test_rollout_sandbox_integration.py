"""A rollout plan against the sandbox over HTTP: two steps advance on a fast clock, then a
candidate told to score lower is aborted by the live-traffic gate and the rules restored.

Nothing here rides on chance. The sandbox routes each new conversation with its seeded
"canary" stream, shared by every test in the process, so how many of N chats reach the
candidate depends on what ran before (alone, always the same lucky draws; in a full run,
sometimes fewer than the minimum sample, and the gate rightly keeps waiting). Scores hash the
conversation id (a fresh UUID), so a healthy candidate is "worse" with probability alpha per
metric. So the test chats until each version has the sample it needs (a condition, not a
count), and uses an alpha a healthy candidate essentially never reaches (1e-4) but a
candidate scored 0.35 lower always does (its scores are all below main's: p ≈ 2e-5 at 12 each).
"""

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


PER_VERSION = 12  # conversations each version gets in a step (the plan's min_sample is 8)
MAX_CHATS = 200  # a routing that starves a version fails the test with a clear message instead of hanging


def _chat_until_sampled(user, assistant_id: str, versions: tuple[str, str]) -> None:
    """Chat until both versions served PER_VERSION new conversations (the sandbox routes by its dice)."""
    served = dict.fromkeys(versions, 0)
    for i in range(MAX_CHATS):
        if min(served.values()) >= PER_VERSION:
            return
        turn = chat_services.chat_send(user=user, assistant_id=assistant_id, content=f"I'd like a quote, lead {i}")
        if turn.version_id in served:
            served[turn.version_id] += 1
    pytest.fail(f"{MAX_CHATS} chats did not give each version {PER_VERSION} conversations: {served}")


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
                             suite_threshold=1.0, min_sample=8, alpha=0.0001, metrics="score, resolved")
    plan = plans.plan_start(user=team_admin, plan=plan)
    assert get_client().get(f"ai/assistants/{assistant_id}/canary-deploys").data["rules"] == [
        {"serve": {"rollout": [{"version_id": candidate_id, "weight": 30.0}]}}]

    # Step 1: traffic at 30%, the hold has not passed yet, nothing moves.
    _chat_until_sampled(team_admin, assistant_id, (candidate_id, main_id))
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
    _chat_until_sampled(team_admin, assistant_id, (candidate_id, main_id))
    (plan,) = _fast_forward(601)
    assert plan.current_step == 2 and GateResult.objects.get(step__index=1).verdict == "pass"

    # The candidate degrades: the sandbox scores its conversations lower.
    call_command("sandbox_score_version", candidate_id, "--penalty", "0.35", verbosity=0)
    _chat_until_sampled(team_admin, assistant_id, (candidate_id, main_id))
    (plan,) = _fast_forward(601)
    assert plan.status == RolloutPlan.Status.ABORTED
    gate = GateResult.objects.get(step__index=2)
    verdicts = {metric["key"]: metric["verdict"] for metric in gate.details["metrics"]}
    assert gate.verdict == "fail" and verdicts["score"] == "fail" and "The candidate is worse than main on “" in gate.summary
    assert "Main is untouched; the canary deploy was removed (there was none before the plan)" in plan.message
    with pytest.raises(NotFoundError):
        get_client().get(f"ai/assistants/{assistant_id}/canary-deploys")
    assert get_client().get(f"ai/assistants/{assistant_id}").data["version_id"] == main_id
    assert "aborted" in mail.outbox[-1].subject
    actions = list(AuditEvent.objects.filter(resource_type="release").order_by("pk").values_list("action", flat=True))
    assert actions == ["plan created", "start", "step applied", "step passed", "step applied", "step passed",
                       "step applied", "abort", "restored"]
