"""The whole insight webhook path offline: the sandbox signs a `call.analyzed` event with its
own key when a chat's insights complete and posts it to the group's webhook, the portal's
endpoint; the portal verifies it with the sandbox's public key and stores the results."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from conversations.models import InsightEvent, InsightResult
from portal.telnyx import get_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_chat_sends_a_signed_insights_webhook_that_the_portal_verifies_and_applies(sandbox, live_server, settings):
    call_command("sandbox_seed", "--demo", verbosity=0)
    settings.TELNYX_PUBLIC_KEY = ""  # sandbox mode: the sandbox's own key is trusted
    client = get_client()
    endpoint = f"{live_server.url}/webhooks/telnyx/insights/"
    settings.SANDBOX_WEBHOOK_ALLOWED_URLS = [f"{live_server.url}/webhooks/"]
    template = client.post("ai/conversations/insights", json={"name": "Resolved?", "instructions": "Was it resolved?"}).data["data"]
    group = client.post("ai/conversations/insight-groups", json={"name": "Support QA", "webhook": endpoint}).data["data"]
    client.post(f"ai/conversations/insight-groups/{group['id']}/insights/{template['id']}/assign")
    assistant = next(a for a in client.get("ai/assistants").data["data"] if a["name"] == "Acme Support")
    client.post(f"ai/assistants/{assistant['id']}", json={"insight_settings": {"insight_group_id": group["id"]}})
    client.post(f"ai/assistants/{assistant['id']}/chat", json={"content": "When do you open?", "conversation_id": "conv-hook-1"})
    stored = InsightEvent.objects.get()
    assert stored.event_type == "call.analyzed" and stored.conversation_id == "conv-hook-1"
    assert stored.outcome == "1 result applied"
    result = InsightResult.objects.get()
    assert result.template_id == template["id"] and "When do you open?" in result.result
