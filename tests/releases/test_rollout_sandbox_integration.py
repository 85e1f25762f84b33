"""Rollout plans against the sandbox over HTTP, on a fast clock: a candidate equal to main
passes the live gate and the plan completes; the same candidate told to score lower is
aborted by the live gate and the canary rules from before the plan are restored.

Nothing here rides on chance. The sandbox routes each new conversation with its seeded
"canary" stream, shared by every test in the process, so the test chats until each version
has the sample it needs (a condition, not a count). Scores are 0.6 + 0.35·U (sd ≈ 0.1),
hashing the conversation id (a fresh UUID). The plans judge "score" alone at level 0.001 with
a 0.3 margin: with 12 conversations each the always-valid interval is about ±0.17, so an
equal candidate passes unless its mean lands 0.13 below main's (≈ 3 standard errors), fails
with probability ≤ 0.001, and one scored 0.35 lower is always shown worse.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from assistants.services import chat as chat_services
from portal.models import AuditEvent
from portal.telnyx import get_client
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


def _plan(user, assistant_id: str, candidate_id: str) -> RolloutPlan:
    plan = plans.plan_create(
        user=user, assistant_id=assistant_id, candidate_version_id=candidate_id, candidate_name="older",
        steps=[{"kind": RolloutStep.Kind.PERCENT, "weight": 50, "hold_seconds": 600, "gate_live": True}],
        suite_threshold=1.0, min_sample=8, alpha=0.001, metrics="score", monitor_metrics="resolved", margin=0.3,
        max_sample=200)
    return plans.plan_start(user=user, plan=plan)


def test_an_equal_candidate_completes_and_a_degraded_one_is_aborted(team_admin, sales, settings):
    settings.RELEASES_ALERT_EMAILS = ["oncall@example.com"]
    assistant_id, main_id, candidate_id = sales
    plan = _plan(team_admin, assistant_id, candidate_id)
    step_rules = [{"serve": {"rollout": [{"version_id": candidate_id, "weight": 50.0}]}}]
    assert get_client().get(f"ai/assistants/{assistant_id}/canary-deploys").data["rules"] == step_rules

    # The hold has not passed yet: nothing moves. Ten minutes later the gate passes, the plan completes.
    _chat_until_sampled(team_admin, assistant_id, (candidate_id, main_id))
    advance_due_plans()
    plan.refresh_from_db()
    assert plan.status == RolloutPlan.Status.RUNNING and "Holding 50% of traffic" in plan.message
    (plan,) = _fast_forward(601)
    assert plan.status == RolloutPlan.Status.COMPLETED, plan.message
    gate = GateResult.objects.get(plan=plan)
    assert gate.verdict == "pass" and gate.details["counts"][candidate_id] >= PER_VERSION
    score = next(m for m in gate.details["metrics"] if m["key"] == "score")
    assert score["lower"] > -0.3 and score["upper"] > 0

    # The candidate degrades: the sandbox scores its conversations 0.35 lower. A new plan aborts.
    call_command("sandbox_score_version", candidate_id, "--penalty", "0.35", verbosity=0)
    plan = _plan(team_admin, assistant_id, candidate_id)
    _chat_until_sampled(team_admin, assistant_id, (candidate_id, main_id))
    (plan,) = _fast_forward(601)
    assert plan.status == RolloutPlan.Status.ABORTED, plan.message
    gate = GateResult.objects.get(plan=plan)
    verdicts = {metric["key"]: metric["verdict"] for metric in gate.details["metrics"]}
    assert gate.verdict == "fail" and verdicts["score"] == "fail" and "worse than main on “score”" in gate.summary
    assert "Main is untouched; the canary deploy from before the plan is back" in plan.message
    assert get_client().get(f"ai/assistants/{assistant_id}/canary-deploys").data["rules"] == step_rules
    assert get_client().get(f"ai/assistants/{assistant_id}").data["version_id"] == main_id
    assert "aborted" in mail.outbox[-1].subject
    actions = list(AuditEvent.objects.filter(resource_type="release").order_by("pk").values_list("action", flat=True))
    assert actions == ["plan created", "start", "step applied", "step passed", "completed",
                       "plan created", "start", "step applied", "abort", "restored"]
