"""Production alert rules as guardrails of a rollout plan: the rule's metric per conversation,
judged candidate against main through the live gate's own code, with the room main has before
the rule's threshold as the margin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.models import Conversation
from conversations.rollups import rebuild_measures
from monitoring.models import AlertRule
from releases.models import GateResult, RolloutPlan, RolloutStep
from releases.services.engine import rollout_advance
from releases.services.guardrails import rule_guardrail

from .conftest import AID, BEFORE, add_traffic, pct

pytestmark = pytest.mark.django_db
LATENCY_KEY = "−call_response_latency_seconds"


def latency_rule(**extra) -> AlertRule:
    return AlertRule.objects.create(**{"name": "Slow replies", "assistant_id": AID, "metric": "response_latency",
                                       "comparison": "above", "threshold": 4, **extra})


def main_week(latency_ms: int, n: int = 20) -> None:
    """Main's last week: conversations whose transcripts were read, each with this latency."""
    now = timezone.now()
    Conversation.objects.bulk_create([
        Conversation(telnyx_id=f"w-{i}", assistant_id=AID, assistant_version_id="v-main", synced_at=now,
                     created_at=now - timedelta(days=2, hours=i), response_latency_ms=latency_ms, turns=4, tool_calls=0,
                     tool_failures=0) for i in range(n)])
    rebuild_measures()


def test_a_rule_becomes_a_guardrail_with_the_room_main_has_before_its_threshold():
    main_week(1500)
    guardrail = rule_guardrail(latency_rule(), main_version_id="v-main")
    assert (guardrail.key, guardrail.margin) == (LATENCY_KEY, pytest.approx(2.5))  # 4 s threshold − main's 1.5 s
    flag = AlertRule.objects.create(name="Unresolved", assistant_id=AID, metric="flag_rate", comparison="below",
                                    threshold=0.7, insight_field="t-1:resolved")
    assert rule_guardrail(flag, main_version_id="v-main").key == "resolved"  # a drop is bad: judged as is
    tools = AlertRule.objects.create(name="Tools", assistant_id=AID, metric="tool_failures", comparison="above", threshold=0.1)
    assert rule_guardrail(tools, main_version_id="v-main").key == "−call_tool_failure"


def test_main_already_past_the_threshold_falls_back_to_the_plans_margin():
    main_week(5000)
    guardrail = rule_guardrail(latency_rule(), main_version_id="v-main")
    assert guardrail.margin is None and "already past the threshold" in guardrail.note


@pytest.fixture
def no_new_traffic(api):
    api.get(f"{api.base}/ai/conversations", json={"data": []})
    api.put(api.canary, json={"assistant_id": AID, "rules": BEFORE})
    return api


def _latency(version: str, seconds: list[float]) -> None:
    for n, s in enumerate(seconds):
        Conversation.objects.filter(telnyx_id=f"c-{version}-{n}").update(response_latency_ms=round(s * 1000))


def _plan(make_plan):
    plan = make_plan(pct(10, gate_live=True, hold_seconds=3600), min_sample=20, metrics=f"score, {LATENCY_KEY}",
                     margin=0.2, margins={LATENCY_KEY: 0.5})
    RolloutStep.objects.filter(plan=plan).update(state=RolloutStep.State.HOLDING,
                                                 applied_at=timezone.now() - timedelta(minutes=1))
    return plan


def test_a_candidate_slower_than_main_fails_the_latency_guardrail(no_new_traffic, make_plan):
    plan = _plan(make_plan)
    add_traffic("v-cand", [{"score": 0.5 + (n % 5) / 10} for n in range(40)])
    add_traffic("v-main", [{"score": 0.5 + (n % 5) / 10} for n in range(40)])
    _latency("v-cand", [3.0 + (n % 5) / 10 for n in range(40)])
    _latency("v-main", [1.0 + (n % 5) / 10 for n in range(40)])
    plan = rollout_advance(plan)
    assert plan.status == RolloutPlan.Status.ABORTED
    metrics = {m["key"]: m for m in GateResult.objects.get().details["metrics"]}
    latency = metrics[LATENCY_KEY]
    assert (latency["role"], latency["verdict"]) == ("guardrail", "fail")
    assert latency["estimate"] == pytest.approx(-2.0)  # two seconds slower, judged negated
    assert metrics["score"]["verdict"] != "fail"
    assert f"worse than main on “{LATENCY_KEY}”" in plan.message


def test_an_equally_fast_candidate_passes_and_unread_transcripts_do_not_count(no_new_traffic, make_plan):
    plan = _plan(make_plan)
    add_traffic("v-cand", [{"score": 0.5 + (n % 5) / 10} for n in range(45)])
    add_traffic("v-main", [{"score": 0.5 + (n % 5) / 10} for n in range(40)])
    _latency("v-cand", [1.0 + (n % 5) / 10 for n in range(40)])  # five candidate transcripts not read yet
    _latency("v-main", [1.0 + (n % 5) / 10 for n in range(40)])
    rollout_advance(plan)
    latency = {m["key"]: m for m in GateResult.objects.get().details["metrics"]}[LATENCY_KEY]
    assert latency["verdict"] == "pass" and latency["candidate_n"] == 40 and latency["lower"] > -0.5


def test_the_plan_form_adds_chosen_rules_as_guardrails(versions, team_admin_client):
    main_week(1500)
    rule = latency_rule()
    AlertRule.objects.create(name="Volume", assistant_id=AID, metric="volume", comparison="below", threshold=1)
    url = reverse("releases:plan-list", args=[AID])
    page = team_admin_client.get(url).content.decode()
    assert "Slow replies (response latency in seconds (mean), rises above 4)" in page
    assert "Volume (" not in page  # a count follows the traffic split: no guardrail
    response = team_admin_client.post(url, {
        "candidate": "v-cand", "weights": "10, 25, 50", "hold_minutes": "30", "live_gate": "on", "suite_threshold": "90",
        "min_sample": "30", "alpha": "0.05", "primary_metric": "score", "margin": "0.1", "alert_rules": [str(rule.pk)]},
        follow=True)
    plan = RolloutPlan.objects.get()
    assert plan.metrics == f"score, {LATENCY_KEY}" and plan.margins == {LATENCY_KEY: pytest.approx(2.5)}
    assert "Guardrail from alert rule “Slow replies” → −call_response_latency_seconds, margin 2.5" in response.content.decode()
