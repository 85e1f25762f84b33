"""The live gate on the pages: the plan form's planner and the plan page's interval picture."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.models import Conversation, InsightResult
from releases import stats
from releases.models import GateResult, RolloutPlan, RolloutStep
from releases.services.engine import rollout_advance

from .conftest import AID, BEFORE, add_traffic, pct

pytestmark = pytest.mark.django_db


@pytest.fixture
def main_history():
    """A week of main: 168 conversations (one an hour), 80% resolved, scores 0.5–0.9."""
    now = timezone.now()
    for n in range(168):
        at = now - timedelta(hours=n + 0.5)
        Conversation.objects.create(telnyx_id=f"h-{n}", assistant_id=AID, assistant_version_id="v-main",
                                    created_at=at, synced_at=now, insights_synced_at=now)
        InsightResult.objects.create(conversation_id=f"h-{n}", template_id="t-1", assistant_id=AID,
                                     assistant_version_id="v-main", status="completed", occurred_at=at,
                                     values={"resolved": n % 5 != 0, "score": 0.5 + (n % 5) / 10})


def _form(**extra) -> dict:
    return {"candidate": "v-cand", "weights": "10, 25, 50", "hold_minutes": "30", "live_gate": "on",
            "suite_threshold": "90", "min_sample": "30", "alpha": "0.05", **extra}


def test_the_planner_says_how_many_conversations_and_hours_and_warns_about_short_steps(
        versions, main_history, team_admin_client):
    url = reverse("releases:plan-list", args=[AID])
    response = team_admin_client.post(url, _form(primary_metric="resolved", margin="0.1", max_step_hours="24",
                                                 estimate="1"))
    page = response.content.decode()
    assert response.status_code == 200 and not RolloutPlan.objects.exists()  # estimating saves nothing
    # Main's pass rate (about 80%) and that rate less the margin; the whole level on the one judged metric.
    main = stats.Sample.of([n % 5 != 0 for n in range(168)])
    worse = main.mean - 0.1
    variance = (main.variance + worse * (1 - worse)) / 2
    n, at_10 = stats.sequential_n(0.1, variance, alpha=0.05), stats.sequential_n(0.1, variance, alpha=0.05, share=0.1)
    assert at_10 < n  # at 10% main gets nine times the candidate's traffic: the candidate needs fewer
    assert (f"To detect a drop of 10 points in “resolved” with 80% power you need {n:,} conversations per "
            f"version, about {at_10 / 0.1 / 24:.1f} days at 10% (where the candidate needs {at_10:,}: main gets the "
            f"rest); one fixed look would need {stats.fixed_horizon_n(0.1, variance, alpha=0.05):,}.") in page
    assert "From main's last 7 days: 168 conversations (1.0 an hour)" in page
    assert f"In its 24 h maximum a step gets about 2 of {at_10:,} at 10%, " in page


def test_saving_without_a_maximum_sample_uses_the_planners_and_keeps_guardrail_margins(
        versions, main_history, team_admin_client):
    url = reverse("releases:plan-list", args=[AID])
    team_admin_client.post(url, _form(primary_metric="score", margin="0.1", guardrails="resolved: 0.15",
                                      monitor_metrics="handled", max_step_hours="48"))
    plan = RolloutPlan.objects.get()
    assert (plan.metrics, plan.monitor_metrics, plan.margin, plan.margins) == ("score, resolved", "handled", 0.1,
                                                                               {"resolved": 0.15})
    assert plan.max_step_seconds == 48 * 3600
    # The step maximum is the larger of the two metrics' samples at the first step's share (10%).
    score = stats.Sample.of([0.5 + (n % 5) / 10 for n in range(168)])
    resolved = stats.Sample.of([n % 5 != 0 for n in range(168)])
    worse = resolved.mean - 0.15
    needs = [stats.sequential_n(0.1, score.variance, alpha=0.025, share=0.1),
             stats.sequential_n(0.15, (resolved.variance + worse * (1 - worse)) / 2, alpha=0.025, share=0.1)]
    assert plan.max_sample == max(needs) == needs[1]


def test_a_guardrail_margin_that_is_not_a_number_keeps_what_was_typed(versions, team_admin_client):
    response = team_admin_client.post(reverse("releases:plan-list", args=[AID]),
                                      _form(primary_metric="score", guardrails="resolved: lots"))
    page = response.content.decode()
    assert "“resolved: lots”: write a key, or a key and its margin" in page and 'value="resolved: lots"' in page
    assert not RolloutPlan.objects.exists()


def test_the_plan_page_draws_each_metrics_interval_the_margin_and_where_it_decided(
        api, make_plan, team_admin_client):
    api.get(f"{api.base}/ai/conversations", json={"data": []})
    api.put(api.canary, json={"assistant_id": AID, "rules": BEFORE})
    plan = make_plan(pct(10, gate_live=True, hold_seconds=3600), min_sample=20, metrics="score", margin=0.1)
    RolloutStep.objects.filter(plan=plan).update(state=RolloutStep.State.HOLDING,
                                                 applied_at=timezone.now() - timedelta(minutes=1))
    add_traffic("v-main", [{"score": 0.5 + (n % 5) / 10} for n in range(30)])
    add_traffic("v-cand", [{"score": 0.5 + (n % 5) / 10 - (0.3 if n >= 20 else 0)} for n in range(30)])
    rollout_advance(plan)  # a first look: waiting (the hold runs)
    add_traffic("v-cand", [{"score": 0.2 + (n % 5) / 10} for n in range(30, 60)], start=30)
    plan = rollout_advance(plan)
    assert plan.status == RolloutPlan.Status.ABORTED
    assert len(GateResult.objects.get().details["history"]) == 2

    page = team_admin_client.get(reverse("releases:plan-detail", args=[AID, plan.pk])).content.decode()
    assert 'data-testid="interval-chart-score"' in page and 'class="chart-band"' in page
    assert "−0.1 margin" in page and "step 1 fail" in page and 'class="chart-decision chart-decision-fail"' in page
    assert "Show the data as a table" in page and "30 / 30" in page and "60 / 30" in page
    assert "(primary, score)" in page
