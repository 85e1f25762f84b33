"""The move to one store of insight results keeps what the two old models held."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("conversations", "0004_insight_events"), ("releases", "0001_initial")]
AFTER = [("conversations", "0005_insight_results"), ("releases", "0002_insight_results_moved")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_webhook_results_and_gate_reads_are_carried_into_the_one_store():
    old = _migrate(BEFORE)
    now = timezone.now()
    old.get_model("conversations", "Conversation").objects.create(
        telnyx_id="conv-1", assistant_id="a-1", assistant_version_id="v-1", created_at=now, synced_at=now)
    old.get_model("conversations", "PushedInsightResult").objects.create(
        conversation_id="conv-1", insight_id="t-1", result='{"score": 4, "resolved": true}', status="completed",
        occurred_at=now - timedelta(hours=1), event_id="ev-1")
    old.get_model("releases", "ConversationInsight").objects.create(
        conversation_id="conv-2", assistant_id="a-1", assistant_version_id="v-2", values={"score": 0.5}, fetched_at=now)
    try:
        new = _migrate(AFTER)
        rows = {r.conversation_id: r for r in new.get_model("conversations", "InsightResult").objects.all()}
        pushed, gate = rows["conv-1"], rows["conv-2"]
        assert (pushed.template_id, pushed.event_id, pushed.assistant_version_id) == ("t-1", "ev-1", "v-1")
        assert pushed.values == {"score": 4.0, "resolved": True}
        assert (gate.template_id, gate.status, gate.values, gate.assistant_version_id) == ("", "completed", {"score": 0.5}, "v-2")
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
