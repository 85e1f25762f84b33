"""Integrations catalogue, connections, and MCP servers (bare-array paging)."""

from django.utils import timezone

from sandbox.behaviour.integration_catalogue import INTEGRATIONS
from sandbox.models import SbConnection


def test_integrations_show_connection_status(api):
    salesforce = INTEGRATIONS[0]
    SbConnection.objects.create(id="conn-1", integration_id=salesforce["id"], allowed_tools=["create_lead"],
                                created_at=timezone.now())
    listed = {i["name"]: i["status"] for i in api.get("/ai/integrations").json()["data"]}
    assert listed["salesforce"] == "connected" and listed["slack"] == "disconnected"
    bare = api.get(f"/ai/integrations/{salesforce['id']}").json()
    assert bare["display_name"] == "Salesforce" and "data" not in bare
    assert api.get("/ai/integrations/nope").status_code == 404


def test_connections_wrapped_and_deletable(api):
    SbConnection.objects.create(id="conn-1", integration_id=INTEGRATIONS[1]["id"], allowed_tools=[],
                                created_at=timezone.now())
    assert api.get("/ai/integrations/connections").json()["data"][0]["id"] == "conn-1"
    assert api.get("/ai/integrations/connections/conn-1").json()["data"]["integration_id"] == INTEGRATIONS[1]["id"]
    assert api.delete("/ai/integrations/connections/conn-1").status_code == 204
    assert api.get("/ai/integrations/connections/conn-1").status_code == 404


def test_mcp_server_crud_and_bare_paging(api):
    ids = []
    for n in range(3):
        created = api.post("/ai/mcp_servers", {"name": f"s{n}", "type": "sse" if n else "http",
                                               "url": f"https://mcp{n}.example.com"}).json()
        ids.append(created["id"])
    page = api.get("/ai/mcp_servers", **{"page[size]": "2", "page[number]": "2"}).json()
    assert [s["id"] for s in page] == ids[2:]
    assert [s["name"] for s in api.get("/ai/mcp_servers", type="sse").json()] == ["s1", "s2"]
    updated = api.put(f"/ai/mcp_servers/{ids[0]}", {"name": "renamed", "allowed_tools": ["a"], "id": "ignored"}).json()
    assert (updated["id"], updated["name"], updated["allowed_tools"]) == (ids[0], "renamed", ["a"])
    assert api.delete(f"/ai/mcp_servers/{ids[0]}").status_code == 204
    assert api.get(f"/ai/mcp_servers/{ids[0]}").status_code == 404


def test_mcp_create_requires_fields(api):
    response = api.post("/ai/mcp_servers", {"name": "x"})
    assert {e["source"]["pointer"] for e in response.json()["errors"]} == {"/type", "/url"}
