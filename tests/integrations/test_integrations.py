"""Integrations catalogue and connections: Telnyx mocked, then the sandbox."""

from __future__ import annotations

import pytest
import responses
from django.core.management import call_command
from django.urls import reverse

from portal.models import AuditEvent
from portal.telnyx import get_client

pytestmark = pytest.mark.django_db

SLACK = {"id": "int-slack", "name": "slack", "display_name": "Slack", "description": "Post messages",
         "logo_url": "", "status": "connected", "available_tools": ["post_message", "list_channels"]}
JIRA = {**SLACK, "id": "int-jira", "name": "jira", "display_name": "Jira", "status": "disconnected"}


@pytest.fixture
def api(telnyx_base):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{telnyx_base}/ai/integrations", json={"data": [SLACK, JIRA]})
        mock.get(f"{telnyx_base}/ai/integrations/connections",
                 json={"data": [{"id": "conn-1", "integration_id": "int-slack", "allowed_tools": ["post_message"]}]})
        mock.get(f"{telnyx_base}/ai/integrations/int-slack", json=SLACK)
        mock.get(f"{telnyx_base}/ai/integrations/connections/conn-1",
                 json={"data": {"id": "conn-1", "integration_id": "int-slack", "allowed_tools": ["post_message"]}})
        mock.base = telnyx_base
        yield mock


def test_catalogue_and_connections_are_listed(api, viewer_client):
    content = viewer_client.get(reverse("integrations:integration-list")).content.decode()
    assert "Slack" in content and "Jira" in content and "disconnected" in content
    assert "post_message" in content and ">Delete<" not in content  # viewers cannot disconnect


def test_integration_and_connection_details(api, viewer_client):
    detail = viewer_client.get(reverse("integrations:integration-detail", args=["int-slack"])).content.decode()
    assert "list_channels" in detail and "conn-1" in detail
    connection = viewer_client.get(reverse("integrations:connection-detail", args=["conn-1"])).content.decode()
    assert "Connection to Slack" in connection


def test_deleting_a_connection_is_audited(api, team_admin_client):
    api.delete(f"{api.base}/ai/integrations/connections/conn-1", status=204)
    page = team_admin_client.post(reverse("integrations:connection-delete", args=["conn-1"]), {"label": "Slack"},
                                  follow=True).content.decode()
    assert "Deleted the connection to Slack." in page
    event = AuditEvent.objects.get()
    assert (event.action, event.resource_id, event.outcome) == ("delete", "conn-1", "success")


def test_failed_delete_says_why_and_is_audited(api, team_admin_client):
    api.delete(f"{api.base}/ai/integrations/connections/conn-1", status=500)
    page = team_admin_client.post(reverse("integrations:connection-delete", args=["conn-1"]), {"label": "Slack"}).content.decode()
    assert "Could not delete the connection." in page and "Telnyx had a server error (500)" in page
    assert AuditEvent.objects.get().outcome == "failure"


@pytest.mark.django_db(transaction=True)
def test_connections_against_the_sandbox(team_admin_client, sandbox):
    call_command("sandbox_seed", "--demo", verbosity=0)
    page = team_admin_client.get(reverse("integrations:integration-list"))
    assert page.status_code == 200
    catalogue = get_client().get("ai/integrations").data["data"]
    assert catalogue[0]["display_name"].encode() in page.content
    for connection in get_client().get("ai/integrations/connections").data["data"]:
        team_admin_client.post(reverse("integrations:connection-delete", args=[connection["id"]]))
    assert get_client().get("ai/integrations/connections").data["data"] == []


@pytest.mark.django_db(transaction=True)
def test_the_bare_connections_url_leads_to_the_integrations_list_not_a_500(sandbox, viewer_client):
    response = viewer_client.get("/integrations/connections/")
    assert response.status_code == 302 and response["Location"] == "/integrations/"


def _catalogue(client, **params) -> str:
    page = client.get(reverse("integrations:integration-list"), params).content.decode()
    return page[page.index('id="changelist-table"'):]


def test_the_catalogue_is_searched_filtered_and_sorted_from_the_query_string(api, viewer_client):
    searched = _catalogue(viewer_client, q="jir")
    assert "Jira" in searched and ">Slack<" not in searched
    connected = _catalogue(viewer_client, status="connected")
    assert ">Slack<" in connected and ">Jira<" not in connected
    assert 'data-testid="filter-chips"' in connected
    ascending, descending = _catalogue(viewer_client, sort="name"), _catalogue(viewer_client, sort="-name")
    assert ascending.index(">Jira<") < ascending.index(">Slack<")
    assert descending.index(">Slack<") < descending.index(">Jira<")


def test_bad_catalogue_parameters_show_the_page_not_an_error(api, viewer_client):
    response = viewer_client.get(reverse("integrations:integration-list"), {"status": "nope", "sort": "x", "page": "1e9"})
    assert response.status_code == 200 and ">Slack<" in response.content.decode()


def test_an_htmx_request_gets_only_the_catalogue_table(api, viewer_client):
    response = viewer_client.get(reverse("integrations:integration-list"), {"q": "slack"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert 'id="changelist-table"' in content and "Your connections" not in content and ">Slack<" in content


def test_the_delete_question_names_the_integration_with_its_id_below_whatever_the_link_said(api, team_admin_client):
    page = team_admin_client.get(reverse("integrations:connection-delete", args=["conn-1"]), {"label": "Evil"}).content.decode()
    question = page.split("Delete the connection to")[1].split("?")[0]
    assert '<a href="/integrations/connections/conn-1/">Slack</a>' in question
    assert 'class="object-id muted mono small" title="conn-1"' in question and "Evil" not in page
