"""An Admin attaches an MCP server with one of its tools and a connected integration on the
change form, then adds a shared webhook tool through its own form (headers as lines, a path
parameter schema), in a real browser against the sandbox."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from portal.telnyx import get_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_picks_mcp_servers_and_integrations_then_adds_a_webhook_tool(live_server, sandbox, team_admin, login, page):
    call_command("sandbox_seed", "--demo", verbosity=0)
    from assistants.services.assistants import assistants_sync
    from mcp_servers.services import mcp_servers_sync

    assert assistants_sync().ok and mcp_servers_sync().ok
    assistant = next(a for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Clinic Booking")
    from portal.telnyx.resources import integrations, mcp_servers

    server = next(s for s in mcp_servers.list_all() if s.get("allowed_tools"))
    connection = integrations.list_connections()[0]
    login(team_admin)

    page.goto(f"{live_server.url}/assistants/{assistant['id']}/change/")
    page.check(f"input[name=mcp_servers][value='{server['id']}']")
    page.check(f"input[name=mcp_server_tools][value='{server['id']}/{server['allowed_tools'][0]}']")
    page.check(f"input[name=integrations][value='{connection['integration_id']}']")
    page.click("button[name=save_as_version]")
    expect(page.locator(".message-success")).to_contain_text("Saved new version")
    version = get_client().get(f"ai/assistants/{assistant['id']}/versions").data["data"][0]
    assert {"id": server["id"], "allowed_tools": [server["allowed_tools"][0]]} in version["mcp_servers"]
    assert {"integration_id": connection["integration_id"]} in version["integrations"]

    page.goto(f"{live_server.url}/tools/add/")
    page.fill("#id_display_name", "Order lookup")
    page.fill("#id_definition-name", "order_lookup")
    page.fill("#id_definition-description", "Look up an order by its number")
    page.fill("#id_definition-url", "https://example.com/orders/{id}")
    page.click("button:has-text('Create tool')")
    expect(page.locator(".field-errors")).to_contain_text("{id} need a property")  # the URL's placeholder is declared nowhere
    expect(page.locator("#id_definition-url")).to_have_value("https://example.com/orders/{id}")
    page.fill("#id_definition-path_parameters", '{"type": "object", "properties": {"id": {"type": "string"}}}')
    page.fill("#id_definition-headers", "X-Team: support")
    page.click("button:has-text('Create tool')")
    expect(page.locator(".message-success")).to_contain_text("Created shared tool “Order lookup”")
    tool = next(t for t in get_client().get("ai/tools").data["data"] if t["display_name"] == "Order lookup")
    assert tool["tool_definition"]["headers"] == [{"name": "X-Team", "value": "support"}]
