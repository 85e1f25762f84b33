"""The live gate judged on Telnyx's per-version aggregates: the same decision code as the cache,
no conversation synced for it, one source per plan, and the page saying which it was."""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.urls import reverse

from conversations.models import Conversation, InsightResult
from releases.models import GateResult, RolloutPlan
from releases.services.engine import rollout_advance

from .conftest import AID, add_traffic
from .test_live_gate import _live_step, _spread

pytestmark = pytest.mark.django_db
VERSION = "metadata.assistant_version_id"
JSON = {"Content-Type": "application/json"}


def _rows(samples: dict[str, list[dict]], field: str, templates=("t-1",)) -> list[dict]:
    """Telnyx's aggregate rows for `field`: one per (version, template, value) with its count."""
    counted = Counter((version, template, json.dumps(values[field])) for version, rows in samples.items()
                      for values in rows if field in values for template in templates)
    return [{VERSION: v, "insight_id": t, field: json.loads(value), "record_count": n} for (v, t, value), n in counted.items()]


@pytest.fixture
def telnyx_counts(api):
    """Telnyx's aggregates answer from `state["samples"]` (or fail with `state["status"]`)."""
    state = {"samples": {}, "status": 200, "templates": ("t-1",), "queries": []}

    def answer(request):
        query = parse_qs(urlsplit(request.url).query)
        state["queries"].append(query)
        if state["status"] != 200:
            return state["status"], JSON, json.dumps({"errors": [{"code": "10007", "title": "Unavailable"}]})
        field = next(f for f in query["group_by"] if f not in (VERSION, "insight_id"))
        return 200, JSON, json.dumps({"data": _rows(state["samples"], field, state["templates"])})

    api.add_callback(responses.GET, f"{api.base}/ai/conversations/conversation-insights/aggregates", callback=answer)
    api.get(f"{api.base}/ai/conversations", json={"data": []})
    api.put(api.canary, json={"assistant_id": AID, "rules": []})
    return state


def test_a_worse_candidate_is_aborted_on_telnyx_counts_with_nothing_synced(telnyx_counts, make_plan, team_admin_client):
    plan = _live_step(make_plan, hold_seconds=3600, metrics="score, resolved")
    telnyx_counts["samples"] = {
        "v-cand": [{"score": s, "resolved": n % 2 == 0} for n, s in enumerate(_spread(0.2, 40))],
        "v-main": [{"score": s, "resolved": n % 2 == 0} for n, s in enumerate(_spread(0.5, 40))]}
    plan = rollout_advance(plan)
    assert plan.status == RolloutPlan.Status.ABORTED and "worse than main on “score”" in plan.message
    result = GateResult.objects.get()
    assert result.details["source"] == "telnyx"
    metrics = {m["key"]: m for m in result.details["metrics"]}
    assert metrics["score"]["candidate_n"] == 40 and metrics["score"]["estimate"] == pytest.approx(-0.3)
    assert metrics["resolved"]["kind"] == "pass/fail" and metrics["resolved"]["candidate"]["passed"] == 20
    assert not Conversation.objects.exists() and not InsightResult.objects.exists()  # nothing synced for it
    query = telnyx_counts["queries"][0]
    assert query["metadata[assistant_id]"] == [f"eq.{AID}"] and query["created_at"][0].startswith("gte.")
    page = " ".join(team_admin_client.get(reverse("releases:plan-detail", args=[AID, plan.pk])).content.decode().split())
    assert "Source: Telnyx's per-version aggregates." in page
    assert "Coverage: candidate 40, main 40 results at Telnyx; candidate 0, main 0 conversations in the cache." in page


def test_telnyx_and_the_cache_give_the_same_interval_on_the_same_sample(telnyx_counts, make_plan):
    """One decision code: the source changes where the counts come from, never the statistics."""
    samples = {"v-cand": [{"score": s} for s in _spread(0.45, 40)], "v-main": [{"score": s} for s in _spread(0.5, 40)]}
    telnyx_counts["samples"] = samples
    judged_at_telnyx = rollout_advance(_live_step(make_plan, hold_seconds=3600, margin=0.2, metrics="score"))
    from_telnyx = GateResult.objects.get(plan=judged_at_telnyx).details["metrics"][0]

    telnyx_counts["status"] = 503  # a plan whose first look cannot read Telnyx is judged on the cache
    for version, rows in samples.items():
        add_traffic(version, rows)
    judged_in_cache = rollout_advance(_live_step(make_plan, hold_seconds=3600, margin=0.2, metrics="score"))
    cached = GateResult.objects.get(plan=judged_in_cache)
    assert cached.details["source"] == "cache" and "Telnyx did not count “score”" in cached.details["source_note"]
    assert {k: cached.details["metrics"][0][k] for k in ("estimate", "lower", "upper", "verdict", "candidate_n")} == \
        {k: from_telnyx[k] for k in ("estimate", "lower", "upper", "verdict", "candidate_n")}


def test_a_telnyx_judged_plan_waits_when_telnyx_fails_rather_than_switch_to_the_cache(telnyx_counts, make_plan):
    plan = _live_step(make_plan, hold_seconds=3600, margin=0.2, metrics="score")
    telnyx_counts["samples"] = {"v-cand": [{"score": 0.5}] * 5, "v-main": [{"score": 0.5}] * 5}
    plan = rollout_advance(plan)
    assert GateResult.objects.get().details["source"] == "telnyx"

    telnyx_counts["status"] = 503
    add_traffic("v-cand", [{"score": s} for s in _spread(0.1, 40)])  # the cache alone would abort
    add_traffic("v-main", [{"score": s} for s in _spread(0.5, 40)])
    plan = rollout_advance(plan)
    assert plan.status == RolloutPlan.Status.RUNNING
    result = GateResult.objects.get()
    assert result.verdict == GateResult.Verdict.WAITING and result.details["source"] == "telnyx"
    assert result.summary.startswith("Waiting for Telnyx's counts: Telnyx did not count “score”")


def test_a_field_two_templates_give_is_judged_on_the_cache_and_the_page_says_why(telnyx_counts, make_plan,
                                                                                  team_admin_client):
    telnyx_counts["templates"] = ("t-1", "t-2")
    telnyx_counts["samples"] = {"v-cand": [{"score": 0.5}] * 3, "v-main": [{"score": 0.5}] * 3}
    plan = rollout_advance(_live_step(make_plan, hold_seconds=3600, metrics="score"))
    result = GateResult.objects.get()
    assert result.details["source"] == "cache"
    page = team_admin_client.get(reverse("releases:plan-detail", args=[AID, plan.pk])).content.decode()
    assert "Source: the portal's cache" in page and "2 insight templates give “score”" in page
