"""MCP servers: changelist from the cache, create, edit, delete; Telnyx mocked, then the sandbox."""

from __future__ import annotations

import json

import pytest
import responses
from django.core.management import call_command
from django.urls import reverse

from mcp_servers import services
from mcp_servers.models import McpServer
from portal.models import AuditEvent
from portal.telnyx import get_client

pytestmark = pytest.mark.django_db


def server(n, **extra):
    return {"id": f"mcp-{n}", "name": f"Server {n}", "type": "sse", "url": f"https://mcp{n}.example.com/sse",
            "created_at": "2026-11-01T10:00:00Z", **extra}


@responses.activate
def test_sync_pages_the_bare_array_until_an_empty_page(telnyx_base, viewer_client):
    responses.get(f"{telnyx_base}/ai/mcp_servers", json=[server(1), server(2, type="http")],
                  match=[responses.matchers.query_param_matcher({"page[number]": "1", "page[size]": "100"})])
    responses.get(f"{telnyx_base}/ai/mcp_servers", json=[],
                  match=[responses.matchers.query_param_matcher({"page[number]": "2", "page[size]": "100"})])
    response = viewer_client.post(reverse("mcp_servers:server-refresh"), headers={"HX-Request": "true"})
    assert b"Server 1" in response.content and b"Server 2" in response.content
    assert McpServer.objects.count() == 2
    filtered = viewer_client.get(reverse("mcp_servers:server-list"), {"type": "http"}).content.decode()
    assert "Server 2" in filtered and "Server 1" not in filtered


@responses.activate
def test_create_sends_the_body_caches_and_audits_without_the_key_ref(telnyx_base, team_admin_client):
    responses.post(f"{telnyx_base}/ai/mcp_servers", json=server(3, allowed_tools=["search"], api_key_ref="secret-ref"))
    response = team_admin_client.post(reverse("mcp_servers:server-add"), {
        "name": "Server 3", "type": "sse", "url": "https://mcp3.example.com/sse", "allowed_tools": "search",
        "api_key_ref": "secret-ref", "idempotency_key": "portal-mcp-1"})
    assert response.status_code == 302 and response.url.endswith("/mcp-servers/mcp-3/")
    assert json.loads(responses.calls[0].request.body) == {
        "name": "Server 3", "type": "sse", "url": "https://mcp3.example.com/sse", "allowed_tools": ["search"],
        "api_key_ref": "secret-ref"}
    assert McpServer.objects.get().name == "Server 3"
    event = AuditEvent.objects.get()
    assert event.action == "create" and "secret-ref" not in str(event.changes) and "api_key_ref" in event.changes


@responses.activate
def test_failed_create_keeps_the_form_and_is_audited(telnyx_base, team_admin_client):
    responses.post(f"{telnyx_base}/ai/mcp_servers", status=422,
                   json={"errors": [{"title": "Invalid", "detail": "Unreachable URL", "source": {"pointer": "/url"}}]})
    content = team_admin_client.post(reverse("mcp_servers:server-add"), {
        "name": "Bad", "type": "sse", "url": "https://nowhere.example.com"}).content.decode()
    assert "Unreachable URL" in content and 'value="Bad"' in content
    assert not McpServer.objects.exists() and AuditEvent.objects.get().outcome == "failure"


@responses.activate
def test_edit_puts_the_changes_and_audits_before_and_after(telnyx_base, team_admin_client):
    services.mcp_cache_put(server(4))
    responses.get(f"{telnyx_base}/ai/mcp_servers/mcp-4", json=server(4))
    responses.put(f"{telnyx_base}/ai/mcp_servers/mcp-4", json=server(4, name="Renamed"))
    form = team_admin_client.get(reverse("mcp_servers:server-change", args=["mcp-4"])).content.decode()
    assert 'value="Server 4"' in form
    response = team_admin_client.post(reverse("mcp_servers:server-change", args=["mcp-4"]), {
        "name": "Renamed", "type": "sse", "url": "https://mcp4.example.com/sse"})
    assert response.status_code == 302
    assert json.loads(responses.calls[-1].request.body)["name"] == "Renamed"
    assert McpServer.objects.get().name == "Renamed"
    assert AuditEvent.objects.get().changes["name"] == {"before": "Server 4", "after": "Renamed"}


@responses.activate
def test_failed_delete_keeps_the_row_with_a_message(telnyx_base, team_admin_client):
    services.mcp_cache_put(server(5))
    responses.delete(f"{telnyx_base}/ai/mcp_servers/mcp-5", status=503)
    content = team_admin_client.post(reverse("mcp_servers:server-delete", args=["mcp-5"]), follow=True).content.decode()
    assert "Could not delete “Server 5”" in content and McpServer.objects.exists()


def test_viewers_see_no_write_buttons(viewer_client):
    content = viewer_client.get(reverse("mcp_servers:server-list")).content.decode()
    assert "Add MCP server" not in content
    assert viewer_client.get(reverse("mcp_servers:server-add")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_create_edit_delete_against_the_sandbox(team_admin_client, sandbox):
    call_command("sandbox_seed", "--demo", verbosity=0)
    created = team_admin_client.post(reverse("mcp_servers:server-add"), {
        "name": "Docs search", "type": "http", "url": "https://docs.example.com/mcp"}, follow=True)
    assert b"Created MCP server" in created.content
    server_id = McpServer.objects.get(name="Docs search").telnyx_id
    team_admin_client.post(reverse("mcp_servers:server-change", args=[server_id]), {
        "name": "Docs search v2", "type": "http", "url": "https://docs.example.com/mcp", "allowed_tools": "search"})
    assert get_client().get(f"ai/mcp_servers/{server_id}").data["allowed_tools"] == ["search"]
    team_admin_client.post(reverse("mcp_servers:server-delete", args=[server_id]))
    assert not McpServer.objects.filter(telnyx_id=server_id).exists()
    listed = team_admin_client.post(reverse("mcp_servers:server-refresh"), headers={"HX-Request": "true"})
    assert b"Docs search" not in listed.content


@responses.activate
def test_detail_shows_when_it_was_created_as_a_date_not_an_iso_string(telnyx_base, viewer_client):
    responses.get(f"{telnyx_base}/ai/mcp_servers/mcp-7", json=server(7))
    content = viewer_client.get(reverse("mcp_servers:server-detail", args=["mcp-7"])).content.decode()
    assert "1 Nov 2026, 10:00" in content and "2026-11-01T10:00:00Z" not in content


@responses.activate
def test_detail_falls_back_to_the_cached_copy_and_says_so(telnyx_base, viewer_client):
    services.mcp_cache_put(server(8))
    responses.get(f"{telnyx_base}/ai/mcp_servers/mcp-8", status=503, json={"errors": [{"title": "down"}]})
    content = viewer_client.get(reverse("mcp_servers:server-detail", args=["mcp-8"])).content.decode()
    assert 'data-testid="stale-banner"' in content and "Showing the cached copy" in content and "Server 8" in content
    responses.replace(responses.GET, f"{telnyx_base}/ai/mcp_servers/mcp-8", json=server(8))
    assert 'data-testid="stale-banner"' not in viewer_client.get(reverse("mcp_servers:server-detail", args=["mcp-8"])).content.decode()
