"""Ids nested inside Telnyx's answers are as untrusted as ids from a URL: a canary rule's
version ids, an assistant's shared tool ids, its MCP servers' and integrations' ids, a handoff
tool's target assistants. Planted in the sandbox, none reaches a link or a Telnyx path; the
pages that show them answer 200 for everyone, naming them as text at most."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assistants.services.assistants import assistants_sync
from mcp_servers.services import mcp_servers_sync
from portal.telnyx import get_client
from shared_tools.services import shared_tools_sync

pytestmark = pytest.mark.django_db(transaction=True)

ODD = "odd id/../x?<b>"


@pytest.fixture
def planted(sandbox):
    from sandbox.models import SbAssistant, SbCanaryDeploy, SbMcpServer, SbTool

    client = get_client()
    assistant = client.post("ai/assistants", json={"name": "Planted", "model": "meta-llama/Meta-Llama-3.1-8B-Instruct",
                                                   "instructions": "Be brief."}).data
    draft = client.post(f"ai/assistants/{assistant['id']}", json={"greeting": "Hi", "promote_to_main": False}).data
    now = timezone.now()
    SbTool.objects.create(id=ODD, type="webhook", display_name="Odd", created_at=now,
                          definition={"name": "odd", "description": "d", "url": "https://example.com/h"})
    handoff = SbTool.objects.create(id="tool-handoff-1", type="handoff", display_name="Hand over", created_at=now,
                                    definition={"ai_assistants": [{"id": ODD, "name": "Odd target"},
                                                                  {"id": assistant["id"], "name": "Planted"}]})
    SbMcpServer.objects.create(id=ODD, name="Odd server", type="http", url="https://mcp.example", created_at=now)
    row = SbAssistant.objects.get(id=assistant["id"])
    main = row.main_version
    main.config = {**main.config, "tool_ids": [ODD, handoff.id], "mcp_servers": [{"id": ODD, "allowed_tools": ["x"]}],
                   "integrations": [{"integration_id": ODD}]}
    main.save()
    SbCanaryDeploy.objects.create(assistant=row, created_at=now, updated_at=now, rules=[
        {"serve": {"rollout": [{"version_id": ODD, "weight": 10}, {"version_id": draft["version_id"], "weight": 10}]}}])
    assert assistants_sync().ok and mcp_servers_sync().ok and shared_tools_sync().ok
    return {"assistant": assistant["id"], "draft": draft["version_id"], "handoff": handoff.id}


def links(html: str) -> list[str]:
    return re.findall(r'(?:href|action|hx-get|hx-post)="([^"]*)"', html)


def test_planted_nested_ids_break_no_page_and_reach_no_link(planted, team_admin_client, viewer_client):
    assistant = planted["assistant"]
    pages = [reverse("assistants:assistant-detail", args=[assistant]), reverse("assistants:assistant-change", args=[assistant]),
             reverse("assistants:canary-detail", args=[assistant]), reverse("assistants:version-list", args=[assistant]),
             reverse("shared_tools:tool-list"), reverse("shared_tools:tool-detail", args=[planted["handoff"]]),
             reverse("mcp_servers:server-list"), reverse("releases:plan-list", args=[assistant])]
    for client in (viewer_client, team_admin_client):
        for url in pages:
            response = client.get(url)
            if client is viewer_client and url.endswith("/change/"):
                continue  # Admins only
            assert response.status_code == 200, url
            html = response.content.decode()
            assert "x?<b>" not in html, url  # shown as text at most, escaped
            for link in links(html):
                assert "odd" not in link.lower() and "%3Cb%3E" not in link, (url, link)
    canary = team_admin_client.get(reverse("assistants:canary-detail", args=[assistant])).content.decode()
    assert reverse("assistants:version-promote", args=[assistant, planted["draft"]]) in canary  # the usable one keeps its link
    form = team_admin_client.get(reverse("assistants:assistant-change", args=[assistant])).context["form"]
    assert ODD not in dict(form.fields["mcp_servers"].choices)  # the planted server was not cached, nor offered
    assert "1 attached with an id the portal cannot use" in form.fields["mcp_servers"].help_text


def test_a_rule_serving_a_planted_version_id_is_refused_in_words_not_fetched(planted, team_admin):
    from releases.services.digest import ContentUnreadable, read_versions

    with pytest.raises(ContentUnreadable, match="not a version id the portal can use"):
        read_versions(user=team_admin, assistant_id=planted["assistant"], version_ids=[ODD, planted["draft"]])
