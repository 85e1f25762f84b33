"""Insight analytics asks Telnyx for per-version counts (the aggregates endpoint), so a version's
conversations count even before they are synced; a Telnyx error there leaves the page working."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conversations.insights import sync as insight_sync
from conversations.tasks import conversations_sync
from portal.telnyx import get_client
from sandbox.behaviour.quality import QUALITY_INSIGHT_ID

pytestmark = pytest.mark.django_db(transaction=True)


def chat(assistant_id: str, n: int, prefix: str) -> None:
    for i in range(n):
        get_client().post(f"ai/assistants/{assistant_id}/chat", json={"content": f"Q{i}", "conversation_id": f"{prefix}-{i}"})


def test_per_version_counts_come_from_telnyx_synced_or_not(sandbox, viewer_client, monkeypatch):
    client = get_client()
    assistant = client.post("ai/assistants", json={"name": "Versioned", "model": "openai/gpt-4o", "instructions": "Hi."}).data
    chat(assistant["id"], 2, "conv-v1")
    assert conversations_sync().ok and insight_sync.insights_sync().ok
    draft = client.post(f"ai/assistants/{assistant['id']}", json={"instructions": "Hello."}).data  # v2 goes live
    chat(assistant["id"], 3, "conv-v2")  # never synced

    url = reverse("insights:analytics-detail")
    query = {"template": QUALITY_INSIGHT_ID, "assistant": assistant["id"]}
    page = viewer_client.get(url, query)
    rows = {r.version_id: r for r in page.context["per_version"].rows}
    assert rows[assistant["version_id"]].results == 2 and rows[draft["version_id"]].results == 3
    assert 0 < rows[draft["version_id"]].mean_score <= 1
    assert 'data-testid="per-version"' in page.content.decode()
    # Each version's count links to its conversations: the cached ones, by the version filter.
    assert conversations_sync().ok
    listed = viewer_client.get(reverse("conversations:conversation-list"),
                               {"assistant": assistant["id"], "version": draft["version_id"]})
    assert listed.context["cl"].page.paginator.count == 3

    from portal.telnyx import APIConnectionError
    from portal.telnyx.resources import insights as insights_api

    def down(**kwargs):
        raise APIConnectionError(method="GET", path="aggregates")

    monkeypatch.setattr(insights_api, "aggregates", down)
    page = viewer_client.get(url, query)
    assert page.status_code == 200 and "could not be read" in page.content.decode()
