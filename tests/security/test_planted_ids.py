"""An id from Telnyx is as untrusted as one from a URL. An Operator plants an odd conversation
id through the chat playground; the syncs skip that record and count it on the tasks page,
and search and every insight page keep answering for everyone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assistants.services.assistants import assistants_sync
from conversations.insights import services as insight_services
from conversations.insights import sync as insight_sync
from conversations.models import Conversation
from conversations.tasks import conversations_sync
from portal.models import SyncState
from portal.telnyx import get_client

pytestmark = pytest.mark.django_db(transaction=True)

ODD = "odd id/../x?<b>"


@pytest.fixture
def planted(sandbox, operator_client):
    client = get_client()
    template = client.post("ai/conversations/insights", json={"name": "Resolved?", "instructions": "Resolved?"}).data["data"]
    group = client.post("ai/conversations/insight-groups", json={"name": "QA"}).data["data"]
    client.post(f"ai/conversations/insight-groups/{group['id']}/insights/{template['id']}/assign")
    assistant = client.post("ai/assistants", json={"name": "Planted", "model": "meta-llama/Meta-Llama-3.1-8B-Instruct",
                                                   "instructions": "Be brief.",
                                                   "insight_settings": {"insight_group_id": group["id"]}}).data
    assert assistants_sync().ok  # the playground opens for assistants the portal lists
    for conversation_id in ("", ODD):  # one ordinary conversation, one planted
        response = operator_client.post(reverse("assistants:chat-send", args=[assistant["id"]]),
                                        {"content": "hello there", "conversation_id": conversation_id})
        assert response.status_code == 200
    return {"template": template["id"], "group": group["id"]}


def test_a_planted_id_is_skipped_counted_and_breaks_no_page(planted, team_admin_client, viewer_client):
    assert conversations_sync().ok
    assert insight_services.templates_sync().ok and insight_services.groups_sync().ok
    assert insight_sync.insights_sync().ok
    assert Conversation.objects.count() == 1 and not Conversation.objects.filter(telnyx_id=ODD).exists()
    state = SyncState.objects.get(resource="conversations")
    assert state.skipped_count == 1 and "odd id" in state.skipped_note

    tasks = team_admin_client.get(reverse("tasks")).content.decode()
    assert "Records syncs left out" in tasks and "odd id/../x?&lt;b&gt;" in tasks and "<b>" not in tasks
    pages = [reverse("search") + "?q=odd", reverse("search") + "?q=hello", reverse("conversations:conversation-list"),
             reverse("insights:template-list"), reverse("insights:group-list"), reverse("insights:analytics-detail"),
             reverse("insights:group-detail", args=[planted["group"]]),
             reverse("insights:template-detail", args=[planted["template"]])]
    for url in pages:
        assert viewer_client.get(url).status_code == 200, url


def test_a_conversation_whose_insights_cannot_be_read_does_not_stop_the_sync(planted, monkeypatch):
    from conversations.insights import sync
    from portal.telnyx import NotFoundError

    assert conversations_sync().ok
    ordinary = Conversation.objects.get()
    real = sync.conversations_api.insight_results

    def refusing(conversation_id):
        if conversation_id == ordinary.telnyx_id:
            raise NotFoundError(status=404, errors=[], request_id="", method="GET", path="x")
        return real(conversation_id)

    monkeypatch.setattr(sync.conversations_api, "insight_results", refusing)
    outcome = sync.insights_sync()
    assert outcome.ok
    state = SyncState.objects.get(resource=sync.RESOURCE)
    assert state.synced_at and state.skipped_count == 1 and "404" in state.skipped_note
