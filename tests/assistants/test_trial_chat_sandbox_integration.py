""""Try in chat" on a version that is not live, over HTTP against the sandbox: that version
answers, through a rule matching only that conversation, removed afterwards, both audited."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from portal.models import AuditEvent
from portal.telnyx import NotFoundError, get_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_try_in_chat_talks_to_the_draft_and_leaves_no_rule_behind(sandbox, team_admin_client, operator_client):
    call_command("sandbox_seed", "--demo", verbosity=0)
    sales = next(a for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Sales Qualifier")
    versions = get_client().get(f"ai/assistants/{sales['id']}/versions").data["data"]
    draft = next(v["version_id"] for v in versions if v["version_id"] != sales["version_id"])
    chat = reverse("assistants:chat", args=[sales["id"]])

    page = team_admin_client.get(f"{chat}?version={draft}").content.decode()
    assert f'name="version" value="{draft}"' in page and "removes it once the first reply is in" in page
    conversation = ""
    for turn in range(2):  # the second turn stays on the draft with no rule at all
        content = team_admin_client.post(reverse("assistants:chat-send", args=[sales["id"]]), {
            "content": f"Hello {turn}", "version": draft,
            "conversation_id": "" if turn == 0 else conversation}, headers={"HX-Request": "true"}).content.decode()
        conversation = content.split('id="conversation-id" value="')[1].split('"')[0]
        said = AuditEvent.objects.filter(action="chat").latest("pk").summary
        assert said.endswith(f"served by version {draft}") and 'data-testid="trial-note"' not in content
        with pytest.raises(NotFoundError):  # the demo had no canary: none again
            get_client().get(f"ai/assistants/{sales['id']}/canary-deploys")
    summaries = list(AuditEvent.objects.filter(resource_type="canary_deploy").order_by("pk").values_list("summary", flat=True))
    assert summaries == [f"Try in chat: a rule sends only conversation {conversation} to version {draft}",
                         "Deleted the canary deploy of “Sales Qualifier”: all traffic goes to main"]

    refused = operator_client.get(f"{chat}?version={draft}").content.decode()  # an Operator cannot add the rule
    assert 'data-testid="trial-refusal"' in refused and f'value="{draft}"' not in refused
