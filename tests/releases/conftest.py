"""A cached assistant (main v-main, candidate v-cand), Telnyx mocked, and a plan factory."""

from __future__ import annotations

from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from assistants.models import Assistant, AssistantVersion
from conversations.models import Conversation, InsightResult
from releases.models import RolloutPlan, RolloutStep

AID = "assistant-00000001-0000-4000-8000-000000000000"
BEFORE = [{"serve": {"rollout": [{"version_id": "v-old", "weight": 5.0}]}}]


@pytest.fixture
def api(telnyx_base, assistant_json, db):
    now = timezone.now()
    Assistant.objects.create(telnyx_id=AID, name="Acme Support", version_id="v-main", synced_at=now)
    for vid, name in (("v-main", "revision 2"), ("v-cand", "candidate"), ("v-old", "initial")):
        AssistantVersion.objects.create(telnyx_id=f"{AID}:{vid}", assistant_id=AID, version_id=vid, name=name,
                                        created_at=now - timedelta(days=1), is_main=vid == "v-main", synced_at=now)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{telnyx_base}/ai/assistants/{AID}", json=assistant_json(1, version_id="v-main"))
        mock.canary = f"{telnyx_base}/ai/assistants/{AID}/canary-deploys"
        mock.base = telnyx_base
        mock.get(mock.canary, json={"assistant_id": AID, "rules": BEFORE})
        # Each version as Telnyx has it: approvals bind to a digest of this content.
        for vid in ("v-main", "v-cand", "v-old"):
            mock.get(f"{telnyx_base}/ai/assistants/{AID}/versions/{vid}",
                     json=assistant_json(1, id=AID, version_id=vid, instructions=f"Instructions of {vid}."))
        yield mock


@pytest.fixture
def make_plan(team_admin):
    def build(*steps: dict, status=RolloutPlan.Status.RUNNING, **fields) -> RolloutPlan:
        fields = {"rules_before": BEFORE, **fields}
        plan = RolloutPlan.objects.create(
            assistant_id=AID, candidate_version_id="v-cand", candidate_name="candidate", main_version_id="v-main",
            status=status, created_by=team_admin, created_by_name=team_admin.username,
            started_at=timezone.now(), **fields)
        for index, step in enumerate(steps):
            RolloutStep.objects.create(plan=plan, index=index, **step)
        return plan
    return build


def pct(weight, **extra) -> dict:
    return {"kind": RolloutStep.Kind.PERCENT, "weight": weight, **extra}


@pytest.fixture
def versions(api):
    api.get(f"{api.base}/ai/assistants/{AID}/versions", json={"data": [
        {"version_id": "v-cand", "version_name": "candidate"}, {"version_id": "v-main", "version_name": "revision 2"}]})
    return api


def add_traffic(version: str, values: list[dict], start: int = 0) -> None:
    """Cached conversations of `version`, now, each with one completed insight result."""
    now = timezone.now()
    for n, value in enumerate(values, start=start):
        cid = f"c-{version}-{n}"
        Conversation.objects.create(telnyx_id=cid, assistant_id=AID, assistant_version_id=version,
                                    created_at=now, synced_at=now, insights_synced_at=now)
        InsightResult.objects.create(conversation_id=cid, template_id="t-1", assistant_id=AID,
                                     assistant_version_id=version, values=value, status="completed", occurred_at=now)
