""""Improve instructions" saves Telnyx's improved text as a draft version to compare; delete
offers Telnyx's hard delete behind a box that says it cannot be undone. Against the sandbox."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assistants.services import assistants as services
from portal.models import AuditEvent
from portal.telnyx import get_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def assistant(sandbox):
    created = get_client().post("ai/assistants", json={"name": "Orders", "model": "openai/gpt-4o",
                                                       "instructions": "You help with orders. Be brief."}).data
    assert services.assistants_sync().ok
    return created


def test_improve_instructions_saves_a_draft_and_opens_the_comparison(team_admin_client, assistant):
    url = reverse("assistants:improve-instructions", args=[assistant["id"]])
    key = team_admin_client.get(url).context["form"].initial["idempotency_key"]
    response = team_admin_client.post(url, {"prompt": "Mention refunds.", "idempotency_key": key})
    assert response.status_code == 302 and reverse("assistants:version-compare", args=[assistant["id"]]) in response.url
    live = get_client().get(f"ai/assistants/{assistant['id']}").data
    assert live["instructions"] == "You help with orders. Be brief."  # main is untouched
    versions = get_client().get(f"ai/assistants/{assistant['id']}/versions").data["data"]
    draft = next(v for v in versions if v["version_id"] != live["version_id"])
    assert draft["instructions"].startswith("## Role") and "Mention refunds." in draft["instructions"]
    compare = team_admin_client.get(response.url)
    assert compare.status_code == 200 and "Mention refunds." in compare.content.decode()
    event = AuditEvent.objects.get(action="improve_instructions")
    assert event.outcome == "success" and draft["version_id"] in event.summary


def test_improve_is_for_admins(operator_client, assistant):
    url = reverse("assistants:improve-instructions", args=[assistant["id"]])
    assert operator_client.post(url, {"prompt": "x"}).status_code == 403


def test_delete_is_soft_unless_the_hard_delete_box_is_ticked(team_admin_client, assistant, sandbox):
    page = team_admin_client.get(reverse("assistants:assistant-delete", args=[assistant["id"]])).content.decode()
    assert "cannot be undone" in page and 'name="hard_delete"' in page
    other = get_client().post("ai/assistants", json={"name": "Gone", "model": "openai/gpt-4o", "instructions": "x"}).data
    services.assistants_sync()
    team_admin_client.post(reverse("assistants:assistant-delete", args=[assistant["id"]]))
    team_admin_client.post(reverse("assistants:assistant-delete", args=[other["id"]]), {"hard_delete": "yes"})
    deleted = [d["id"] for d in get_client().get("ai/assistants/deleted").data["data"]]
    assert assistant["id"] in deleted and other["id"] not in deleted  # the hard one is not restorable
    assert AuditEvent.objects.get(action="hard_delete").resource_id == other["id"]
