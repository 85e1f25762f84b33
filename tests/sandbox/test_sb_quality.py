"""The quality insight: deterministic per conversation, lowered for a version told to score lower."""

from __future__ import annotations

import json
import statistics

from django.core.management import call_command

from sandbox.behaviour.quality import QUALITY_INSIGHT_ID
from sandbox.models import SbAssistant


def _quality(api, assistant_id: str, n: int) -> list[dict]:
    results = []
    for i in range(n):
        conversation = api.post("/ai/conversations", {"metadata": {"k": str(i)}}).json()
        api.post(f"/ai/assistants/{assistant_id}/chat", {"content": f"Question {i}", "conversation_id": conversation["id"]})
        record = api.get(f"/ai/conversations/{conversation['id']}/conversations-insights").json()["data"][0]
        found = next(x for x in record["conversation_insights"] if x["insight_id"] == QUALITY_INSIGHT_ID)
        results.append(json.loads(found["result"]))
    return results


def test_a_version_told_to_score_lower_gets_lower_quality_insights(api, make_assistant):
    assistant = make_assistant()
    before = _quality(api, assistant["id"], 20)
    assert all(0.6 <= r["score"] <= 0.95 and isinstance(r["resolved"], bool) for r in before)
    main_version = SbAssistant.objects.get(pk=assistant["id"]).main_version_id
    call_command("sandbox_score_version", main_version, "--penalty", "0.3", verbosity=0)
    after = _quality(api, assistant["id"], 20)
    assert statistics.mean(r["score"] for r in after) < statistics.mean(r["score"] for r in before) - 0.2
    assert sum(r["resolved"] for r in after) < sum(r["resolved"] for r in before)
