"""Insight templates and groups over real HTTP against the sandbox."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conversations.models import InsightGroup, InsightTemplate
from portal.models import AuditEvent
from portal.telnyx import get_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_creates_a_template_and_a_group_and_assigns_it(team_admin_client, sandbox):
    response = team_admin_client.post(reverse("insights:template-add"), {
        "name": "Churn risk", "instructions": "Did the caller ask to cancel?",
        "json_schema": '{"type": "object", "properties": {"churn": {"type": "boolean"}}}'})
    assert response.status_code == 302
    template = InsightTemplate.objects.get(name="Churn risk")
    response = team_admin_client.post(reverse("insights:group-add"), {"name": "Retention", "description": "Calls about leaving"})
    group = InsightGroup.objects.get(name="Retention")
    team_admin_client.post(reverse("insights:group-assign", args=[group.telnyx_id]), {"action": "assign", "template_id": template.telnyx_id})
    page = team_admin_client.get(reverse("insights:group-detail", args=[group.telnyx_id])).content.decode()
    assert "Churn risk" in page and "Remove" in page
    remote = get_client().get(f"ai/conversations/insight-groups/{group.telnyx_id}").data["data"]
    assert [t["id"] for t in remote["insights"]] == [template.telnyx_id]
    team_admin_client.post(reverse("insights:group-assign", args=[group.telnyx_id]), {"action": "unassign", "template_id": template.telnyx_id})
    assert get_client().get(f"ai/conversations/insight-groups/{group.telnyx_id}").data["data"].get("insights") in ([], None)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"create", "assign", "unassign"} <= actions


def test_invalid_json_schema_is_a_field_error_that_keeps_the_text(team_admin_client, sandbox):
    response = team_admin_client.post(reverse("insights:template-add"), {"name": "Bad", "instructions": "x", "json_schema": "{not json"})
    assert response.status_code == 200
    assert "Not valid JSON" in response.context["form"].errors["json_schema"][0]
    assert b"{not json" in response.content
    assert not InsightTemplate.objects.exists()


def test_list_refresh_and_viewer_reads_but_cannot_edit(viewer_client, team_admin_client, sandbox):
    team_admin_client.post(reverse("insights:template-add"), {"name": "Summary", "instructions": "Summarise the call."})
    InsightTemplate.objects.all().delete()
    table = viewer_client.post(reverse("insights:insight-refresh", args=["templates"]), headers={"HX-Request": "true"})
    assert b"Summary" in table.content
    row = InsightTemplate.objects.get(name="Summary")
    page = viewer_client.get(reverse("insights:template-detail", args=[row.telnyx_id]))
    assert b"Summarise the call." in page.content and b">Save</button>" not in page.content
    assert viewer_client.post(reverse("insights:template-detail", args=[row.telnyx_id]), {"name": "x", "instructions": "y"}).status_code == 403
    assert viewer_client.post(reverse("insights:insight-refresh", args=["nope"])).status_code == 404


def test_insights_live_under_conversations_and_old_addresses_redirect_permanently(viewer_client):
    assert reverse("insights:group-list") == "/conversations/insights/groups/"
    old = viewer_client.get("/insights/groups/?q=retention")
    assert old.status_code == 301 and old.url == "/conversations/insights/groups/?q=retention"
    assert viewer_client.get("/insights/").url == "/conversations/insights/"
