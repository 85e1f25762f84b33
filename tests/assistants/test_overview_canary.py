"""The assistant overview says what Telnyx has as its canary deploy (from the cache of Telnyx's
answers), and every canary read or write keeps that cache true."""

from __future__ import annotations

import pytest
import responses
from django.urls import reverse

from assistants.models import CanaryDeployCache
from assistants.services import assistants as assistant_services
from assistants.services import canary as canary_services
from portal.models import SyncState

pytestmark = pytest.mark.django_db

AID = "assistant-00000001-0000-4000-8000-000000000000"
RULES = [{"serve": {"rollout": [{"version_id": "v-staged", "weight": 20}]}}]


@pytest.fixture
def api(telnyx_base, rich_assistant):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        assistant_services.assistant_cache_put(rich_assistant)
        mock.get(f"{telnyx_base}/ai/assistants/{AID}", json=rich_assistant)
        mock.canary = f"{telnyx_base}/ai/assistants/{AID}/canary-deploys"
        yield mock


def overview_canary(client) -> str:
    content = client.get(reverse("assistants:assistant-detail", args=[AID])).content.decode()
    return content.split('data-testid="overview-canary"')[1].split("</dd>")[0]


def test_the_overview_names_a_live_canary_read_from_telnyx(api, viewer_client):
    api.get(api.canary, json={"assistant_id": AID, "rules": RULES})
    line = overview_canary(viewer_client)  # never read: the canary sync runs (inline in tests)
    assert "20% to “v-staged”, rest to main" in line and "(Telnyx," in line
    assert SyncState.objects.get(resource=canary_services.CANARIES).synced_at is not None


def test_deleting_the_canary_updates_what_the_overview_says(api, team_admin, viewer_client):
    api.get(api.canary, json={"assistant_id": AID, "rules": RULES})
    canary_services.canary_fetch(user=team_admin, assistant_id=AID)
    assert CanaryDeployCache.objects.get(telnyx_id=AID).exists
    api.delete(api.canary, status=204)
    canary_services.canary_delete(user=team_admin, assistant_id=AID)
    assert "None: all traffic to main" in overview_canary(viewer_client)
