"""The insight sync against the sandbox over HTTP: cached conversations' results land in the
store, a second run reads nothing again, and the conversations list filters on a field."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from conversations.insights import sync as insight_sync
from conversations.models import Conversation, InsightResult
from conversations.tasks import conversations_sync

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_insight_sync_fills_the_store_from_the_sandbox(sandbox, viewer_client):
    call_command("sandbox_seed", "--demo", verbosity=0)
    assert conversations_sync().error is None
    talked = Conversation.objects.count()
    assert talked

    outcome = insight_sync.insights_sync()
    assert outcome.error is None
    stored = InsightResult.objects.filter(source="sync")
    assert stored.exists()
    read = Conversation.objects.exclude(insights_synced_at=None)
    assert set(stored.values_list("conversation_id", flat=True)) == set(read.values_list("telnyx_id", flat=True))
    some = stored.exclude(values={}).first()
    assert some.assistant_id and some.status == "completed"

    before = InsightResult.objects.count()
    assert insight_sync.insights_sync().error is None  # resumable, and nothing read twice
    assert InsightResult.objects.count() == before

    resolved = stored.filter(values__resolved=True)
    assert resolved.exists()
    content = viewer_client.get(reverse("conversations:conversation-list"), {
        "insight_field": f"{resolved.first().template_id}:resolved", "insight_value": "yes",
        "traffic": "all"}).content.decode()  # test runs' conversations included, as the store holds them
    assert f"{resolved.filter(template_id=resolved.first().template_id).count()} result" in content
