"""The change form picks MCP servers and connected integrations, each with the tools it offers,
from what Telnyx lists (MCP servers from the cache, integrations read live once and kept). A save keeps every
key and entry the form does not show; an id Telnyx does not list is a field error. Telnyx is
mocked with `responses`."""

from __future__ import annotations

import json

import pytest
import responses
from django.urls import reverse

from assistants.services import assistants as assistant_services
from mcp_servers.services import mcp_cache_put

ASSISTANT_ID = "assistant-00000001-0000-4000-8000-000000000000"
CHANGE = reverse("assistants:assistant-change", args=[ASSISTANT_ID])
SALESFORCE = "5b0e7c7a-1a4e-4d0b-9a52-0d2f6b1c0a01"
ZENDESK = "5b0e7c7a-1a4e-4d0b-9a52-0d2f6b1c0a03"

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(telnyx_base, rich_assistant, model_catalogue):
    """Two cached MCP servers and two connected integrations; the assistant has one of each
    attached, with keys the form does not show and an entry whose id the portal cannot use."""
    mcp_cache_put({"id": "mcp-docs", "name": "Docs search", "type": "http", "url": "https://docs.example/mcp",
                   "allowed_tools": ["search_articles", "get_article"], "created_at": "2026-11-01T10:00:00Z"})
    mcp_cache_put({"id": "mcp-cal", "name": "Calendar", "type": "sse", "url": "https://cal.example/mcp",
                   "allowed_tools": ["free_slots", "book"], "created_at": "2026-11-02T10:00:00Z"})
    responses.get(f"{telnyx_base}/ai/integrations/connections", json={"data": [
        {"id": "conn-1", "integration_id": SALESFORCE, "allowed_tools": ["search_contacts", "create_lead"]},
        {"id": "conn-2", "integration_id": ZENDESK, "allowed_tools": ["create_ticket"]},
    ]})
    responses.get(f"{telnyx_base}/ai/integrations", json={"data": [
        {"id": SALESFORCE, "name": "salesforce", "display_name": "Salesforce", "description": "", "logo_url": "",
         "available_tools": ["search_contacts", "create_lead", "update_case"], "status": "connected"},
        {"id": ZENDESK, "name": "zendesk", "display_name": "Zendesk", "description": "", "logo_url": "",
         "available_tools": ["create_ticket"], "status": "connected"},
    ]})
    assistant = {**rich_assistant,
                 "mcp_servers": [{"id": "mcp-docs", "allowed_tools": ["search_articles"], "future_key": 1},
                                 {"id": "../odd id"}],
                 "integrations": [{"integration_id": SALESFORCE}]}
    assistant_services.assistant_cache_put(assistant)
    responses.get(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=assistant)
    return assistant


def sent_body() -> dict:
    return json.loads([c for c in responses.calls if c.request.method == "POST"][-1].request.body)


@responses.activate
def test_the_form_offers_the_listed_servers_and_integrations_with_their_tools(team_admin_client, listed):
    response = team_admin_client.get(CHANGE)
    form = response.context["form"]
    assert dict(form.fields["mcp_servers"].choices) == {"mcp-cal": "Calendar (sse)", "mcp-docs": "Docs search (http)"}
    tool_groups = dict(form.fields["mcp_server_tools"].choices)
    assert dict(tool_groups["Docs search (http)"]) == {"mcp-docs/search_articles": "search_articles", "mcp-docs/get_article": "get_article"}
    assert dict(form.fields["integrations"].choices) == {SALESFORCE: "Salesforce", ZENDESK: "Zendesk"}
    assert dict(dict(form.fields["integration_tools"].choices)["Zendesk"]) == {f"{ZENDESK}/create_ticket": "create_ticket"}
    content = response.content.decode()
    assert "<legend>MCP servers</legend>" in content and "<legend>Integrations</legend>" in content
    assert 'value="mcp-docs" id="id_mcp_servers_1" checked' in content  # attached: ticked
    assert 'value="mcp-docs/search_articles"' in content and "1 attached with an id the portal cannot use" in content
    assert '"mcp_servers"' not in content.split('data-testid="unmodeled"')[1]  # edited here, not under Other settings


@responses.activate
def test_a_save_sends_the_picks_and_keeps_what_the_form_does_not_show(team_admin_client, listed, telnyx_base, version_json, form_data):
    data = form_data(team_admin_client.get(CHANGE))
    data.update({"mcp_servers": ["mcp-docs", "mcp-cal"], "mcp_server_tools": ["mcp-docs/search_articles", "mcp-docs/get_article", "mcp-cal/book"],
                 "integrations": [SALESFORCE, ZENDESK], "integration_tools": [f"{SALESFORCE}/create_lead"], "save_as_version": ""})
    responses.post(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=version_json(listed, "v-new", "v-new"))
    response = team_admin_client.post(CHANGE, data)
    assert response.status_code == 302
    body = sent_body()
    assert body["mcp_servers"] == [
        {"id": "mcp-docs", "allowed_tools": ["search_articles", "get_article"], "future_key": 1},  # unshown key kept
        {"id": "../odd id"},  # an id the portal cannot use: kept as it is, in its place
        {"id": "mcp-cal", "allowed_tools": ["book"]},
    ]
    assert body["integrations"] == [{"integration_id": SALESFORCE, "allowed_list": ["create_lead"]}, {"integration_id": ZENDESK}]


@responses.activate
def test_unchanged_picks_send_no_list(team_admin_client, listed, telnyx_base, version_json, form_data):
    data = form_data(team_admin_client.get(CHANGE))
    data.update({"name": "Renamed", "save_as_version": ""})
    responses.post(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=version_json(listed, "v-new", "v-new"))
    team_admin_client.post(CHANGE, data)
    body = sent_body()
    assert body["name"] == "Renamed" and "mcp_servers" not in body and "integrations" not in body


@responses.activate
def test_unticking_every_tool_allows_all_of_them_again(team_admin_client, listed, telnyx_base, version_json, form_data):
    data = form_data(team_admin_client.get(CHANGE))
    data.pop("mcp_server_tools")
    data["save_as_version"] = ""
    responses.post(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=version_json(listed, "v-new", "v-new"))
    team_admin_client.post(CHANGE, data)
    assert sent_body()["mcp_servers"][0] == {"id": "mcp-docs", "future_key": 1}


@responses.activate
def test_an_id_telnyx_does_not_list_is_a_field_error_and_keeps_what_was_typed(team_admin_client, listed, form_data):
    data = form_data(team_admin_client.get(CHANGE))
    data.update({"name": "Typed name", "mcp_servers": ["mcp-docs", "mcp-planted"], "integrations": ["5b0e7c7a-0000-0000-0000-00000000dead"]})
    response = team_admin_client.post(CHANGE, data)
    errors = response.context["form"].errors
    assert "“mcp-planted” is not a MCP server Telnyx lists." in errors["mcp_servers"][0]
    assert "is not a connected integration Telnyx lists" in errors["integrations"][0]
    assert 'value="Typed name"' in response.content.decode()
    assert not [c for c in responses.calls if c.request.method == "POST"]


@responses.activate
def test_tools_ticked_for_a_server_not_attached_are_refused(team_admin_client, listed, form_data):
    data = form_data(team_admin_client.get(CHANGE))
    data.update({"mcp_servers": ["mcp-docs"], "mcp_server_tools": ["mcp-cal/book"]})
    response = team_admin_client.post(CHANGE, data)
    assert "Calendar (sse), which is not attached" in response.context["form"].errors["mcp_server_tools"][0]
    assert not [c for c in responses.calls if c.request.method == "POST"]


@responses.activate
def test_a_server_no_longer_listed_stays_attached_until_unticked(team_admin_client, listed, telnyx_base, version_json, form_data):
    from mcp_servers.models import McpServer

    McpServer.objects.filter(telnyx_id="mcp-docs").delete()
    page = team_admin_client.get(CHANGE)
    assert "not listed now: untick to detach" in dict(page.context["form"].fields["mcp_servers"].choices)["mcp-docs"]
    data = form_data(page)
    data.update({"mcp_servers": [], "mcp_server_tools": [], "save_as_version": ""})
    responses.post(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=version_json(listed, "v-new", "v-new"))
    team_admin_client.post(CHANGE, data)
    assert sent_body()["mcp_servers"] == [{"id": "../odd id"}]  # detached; the unusable entry is never dropped by the form


@responses.activate
def test_integrations_telnyx_cannot_list_now_are_kept_and_the_page_says_so(team_admin_client, telnyx_base, rich_assistant,
                                                                        model_catalogue, version_json, form_data):
    assistant = {**rich_assistant, "integrations": [{"integration_id": SALESFORCE, "allowed_list": ["create_lead"]}]}
    assistant_services.assistant_cache_put(assistant)
    responses.get(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=assistant)
    responses.get(f"{telnyx_base}/ai/integrations/connections", status=503, json={"errors": [{"title": "down"}]})
    page = team_admin_client.get(CHANGE)
    content = page.content.decode()
    assert "integrations" not in page.context["form"].fields and "<legend>Integrations</legend>" not in content
    assert 'data-testid="unlisted"' in content and "could not be read from Telnyx just now" in content
    data = form_data(page)
    data.update({"name": "Renamed", "save_as_version": ""})
    responses.post(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=version_json(assistant, "v-new", "v-new"))
    assert team_admin_client.post(CHANGE, data).status_code == 302
    assert "integrations" not in sent_body()  # kept as Telnyx has it


def integration_reads() -> int:
    return sum(1 for c in responses.calls if c.request.method == "GET" and "/ai/integrations" in c.request.url)


@responses.activate
def test_the_integrations_picker_reads_telnyx_once_until_the_portal_disconnects_one(
        team_admin_client, listed, telnyx_base, form_data):
    page = team_admin_client.get(CHANGE)
    assert integration_reads() == 2  # the connections and the catalogue, on the first load only
    team_admin_client.get(CHANGE)
    data = form_data(page)
    data.update({"integrations": ["5b0e7c7a-0000-0000-0000-00000000dead"]})
    assert "integrations" in team_admin_client.post(CHANGE, data).context["form"].errors  # still checked against the list
    assert integration_reads() == 2  # a second load and a save: from what was kept

    responses.delete(f"{telnyx_base}/ai/integrations/connections/conn-2", status=204)
    team_admin_client.post(reverse("integrations:connection-delete", args=["conn-2"]))
    before = integration_reads()
    team_admin_client.get(CHANGE)
    assert integration_reads() == before + 2  # a disconnect in the portal: the next load reads both lists again


@responses.activate
def test_the_integrations_page_refreshes_what_the_picker_offers(team_admin_client, listed, telnyx_base):
    team_admin_client.get(CHANGE)
    responses.replace(responses.GET, f"{telnyx_base}/ai/integrations/connections", json={"data": [
        {"id": "conn-2", "integration_id": ZENDESK, "allowed_tools": ["create_ticket"]}]})
    assert team_admin_client.get(reverse("integrations:integration-list")).status_code == 200
    before = integration_reads()
    response = team_admin_client.get(CHANGE)
    assert integration_reads() == before  # the page's fresh lists were kept for the picker
    assert dict(response.context["form"].fields["integrations"].choices) == {
        ZENDESK: "Zendesk", SALESFORCE: f"{SALESFORCE} (not listed now: untick to detach)"}  # disconnected in Telnyx


@responses.activate
def test_integrations_telnyx_could_not_list_are_read_again_on_the_next_load(team_admin_client, listed, telnyx_base):
    responses.replace(responses.GET, f"{telnyx_base}/ai/integrations/connections", status=503, json={"errors": [{"title": "down"}]})
    assert "could not be read from Telnyx just now" in team_admin_client.get(CHANGE).content.decode()
    responses.replace(responses.GET, f"{telnyx_base}/ai/integrations/connections", json={"data": [
        {"id": "conn-2", "integration_id": ZENDESK, "allowed_tools": ["create_ticket"]}]})
    assert ZENDESK in dict(team_admin_client.get(CHANGE).context["form"].fields["integrations"].choices)
