"""The Tools section end to end against the sandbox over HTTP: the library's pages, attach and
detach (audited on the assistant), "used by", test a tool, and moving inline tools in one step."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assistants.services import assistants as assistant_services
from portal.models import AuditEvent
from portal.telnyx import get_client
from shared_tools.models import SharedTool

pytestmark = pytest.mark.django_db(transaction=True)

WEBHOOK = {"name": "order_status", "description": "Look up an order", "url": "https://example.com/orders"}


@pytest.fixture
def assistant(sandbox):
    created = get_client().post("ai/assistants", json={
        "name": "Support", "model": "openai/gpt-4o", "instructions": "Help.",
        "tools": [{"type": "webhook", "webhook": {**WEBHOOK, "name": "inline_lookup"}}, {"type": "hangup", "hangup": {}}]}).data
    assert assistant_services.assistants_sync().ok
    return created


def add_form(client, **fields):
    form = client.get(reverse("shared_tools:tool-add"))
    data = {"display_name": "Order status", "type": "webhook", "shown_type": "webhook", "timeout_ms": "4000",
            "idempotency_key": form.context["form"].initial["idempotency_key"],
            **{f"definition-{k}": v for k, v in WEBHOOK.items()}, "definition-method": "POST", **fields}
    return client.post(reverse("shared_tools:tool-add"), data)


def test_a_bad_tool_keeps_what_was_typed_with_field_errors(team_admin_client, sandbox):
    response = add_form(team_admin_client, **{"definition-description": "", "definition-url": "not a url/{id}", "timeout_ms": "999999"})
    assert response.status_code == 200
    settings = response.context["settings"]
    assert {"description", "url"} <= set(settings.errors) and "timeout_ms" in response.context["form"].errors
    assert 'value="not a url/{id}"' in response.content.decode()
    assert not SharedTool.objects.exists()


def test_add_attach_use_detach_edit_delete(team_admin_client, viewer_client, assistant):
    response = add_form(team_admin_client)
    assert response.status_code == 302
    tool = SharedTool.objects.get()
    assert tool.type == "webhook" and tool.timeout_ms == 4000
    listing = viewer_client.get(reverse("shared_tools:tool-list")).content.decode()
    assert "Order status" in listing

    attach = reverse("shared_tools:tool-attach", args=[tool.telnyx_id])
    assert team_admin_client.post(attach, {"assistant_id": assistant["id"]}).status_code == 302
    assert tool.telnyx_id in get_client().get(f"ai/assistants/{assistant['id']}").data["tool_ids"]
    detail = viewer_client.get(reverse("shared_tools:tool-detail", args=[tool.telnyx_id])).content.decode()
    assert "Support" in detail and "Detach" not in detail  # a Viewer sees who uses it, not the buttons
    admin_detail = team_admin_client.get(reverse("shared_tools:tool-detail", args=[tool.telnyx_id])).content.decode()
    test_url = reverse("assistants:tool-test", args=[assistant["id"], tool.telnyx_id])
    assert test_url in admin_detail
    assert team_admin_client.get(test_url).status_code == 200  # the shared webhook can be tested
    attached = AuditEvent.objects.get(action="attach_tool")
    assert attached.resource_type == "assistant" and attached.resource_id == assistant["id"] and attached.outcome == "success"

    assert team_admin_client.post(attach, {"detach": assistant["id"]}).status_code == 302
    assert get_client().get(f"ai/assistants/{assistant['id']}").data.get("tool_ids") == []
    assert AuditEvent.objects.filter(action="detach_tool", resource_id=assistant["id"]).exists()
    # An assistant the portal does not list cannot be named.
    assert team_admin_client.post(attach, {"assistant_id": "assistant-unknown"}).status_code == 302
    assert not AuditEvent.objects.filter(resource_id="assistant-unknown").exists()

    change = reverse("shared_tools:tool-change", args=[tool.telnyx_id])
    settings = team_admin_client.get(change).context["settings"]
    assert settings.initial["url"] == WEBHOOK["url"]
    team_admin_client.post(change, {"display_name": "Order lookup", "shown_type": "webhook", "timeout_ms": "",
                                    **{f"definition-{k}": v for k, v in WEBHOOK.items()}, "definition-method": "POST"})
    assert get_client().get(f"ai/tools/{tool.telnyx_id}").data["display_name"] == "Order lookup"

    delete = reverse("shared_tools:tool-delete", args=[tool.telnyx_id])
    assert "No assistant uses it" in team_admin_client.get(delete).content.decode()
    assert team_admin_client.post(delete).status_code == 302
    assert not SharedTool.objects.exists()


def test_a_viewer_cannot_write(viewer_client, assistant):
    assert viewer_client.get(reverse("shared_tools:tool-add")).status_code == 403
    assert viewer_client.post(reverse("shared_tools:move-inline", args=[assistant["id"]])).status_code == 403


def test_inline_tools_move_into_the_library_in_one_step(team_admin_client, assistant):
    url = reverse("shared_tools:move-inline", args=[assistant["id"]])
    page = team_admin_client.get(url)
    assert "inline_lookup" in page.content.decode() and "hangup" in page.content.decode()
    versions_before = len(get_client().get(f"ai/assistants/{assistant['id']}/versions").data["data"])
    key = page.context["form"].initial["idempotency_key"]
    assert team_admin_client.post(url, {"idempotency_key": key}).status_code == 302
    after = get_client().get(f"ai/assistants/{assistant['id']}").data
    assert [t["type"] for t in after["tools"]] == ["hangup", "webhook"] and after["tools"][1]["shared"] is True
    assert len(after["tool_ids"]) == 1
    assert len(get_client().get(f"ai/assistants/{assistant['id']}/versions").data["data"]) == versions_before + 1
    # The same form sent again creates no second library tool.
    team_admin_client.post(url, {"idempotency_key": key})
    assert len(get_client().get("ai/tools").data["data"]) == 1


def test_the_assistant_page_links_shared_tools_and_survives_an_unlinkable_tool_name(team_admin_client, assistant):
    client = get_client()
    shared = client.post("ai/tools", json={"display_name": "Lookup", "type": "function", "function": {"name": "lookup"}}).data
    client.put(f"ai/assistants/{assistant['id']}/tools/{shared['id']}")
    client.post(f"ai/assistants/{assistant['id']}", json={"tools": [
        {"type": "webhook", "webhook": {**WEBHOOK, "name": "look up?"}}]})  # a name no URL can carry
    page = team_admin_client.get(reverse("assistants:assistant-detail", args=[assistant["id"]]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("shared_tools:tool-detail", args=[shared["id"]]) in html
    assert reverse("shared_tools:move-inline", args=[assistant["id"]]) in html
    assert "Test webhook" not in html
