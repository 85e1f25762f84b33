"""Conversations: wrappers, PostgREST filters, messages, insights."""

from datetime import timedelta

from django.utils import timezone

from sandbox.models import SbConversation


def _make(api, **metadata):
    return api.post("/ai/conversations", {"metadata": metadata, "name": "c"}).json()


def test_create_is_bare_and_get_update_are_wrapped(api):
    created = _make(api, channel="web")
    assert created["metadata"] == {"channel": "web"} and created["name"] == "c"
    got = api.get(f"/ai/conversations/{created['id']}").json()
    assert got["data"]["id"] == created["id"]
    updated = api.put(f"/ai/conversations/{created['id']}", {"metadata": {"topic": "billing"}}).json()
    assert updated["data"]["metadata"] == {"channel": "web", "topic": "billing"}
    assert api.delete(f"/ai/conversations/{created['id']}").status_code == 204
    assert api.get(f"/ai/conversations/{created['id']}").status_code == 404


def test_metadata_values_must_be_strings(api):
    response = api.post("/ai/conversations", {"metadata": {"n": 1}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/metadata/n"


def test_filters_limit_and_order(api):
    a = _make(api, assistant_id="assistant-a", assistant_version_id="v1", tier="gold")
    b = _make(api, assistant_id="assistant-a", assistant_version_id="v2", tier="silver")
    c = _make(api, assistant_id="assistant-b", assistant_version_id="v3", tier="gold")
    old = SbConversation.objects.get(pk=c["id"])
    old.created_at = timezone.now() - timedelta(days=10)
    old.save()

    def ids(**query):
        response = api.get("/ai/conversations", **query)
        assert response.status_code == 200, response.content
        return [x["id"] for x in response.json()["data"]]

    assert set(ids(**{"metadata->assistant_id": "eq.assistant-a"})) == {a["id"], b["id"]}
    assert ids(**{"metadata->assistant_version_id": "eq.v2"}) == [b["id"]]
    assert set(ids(**{"metadata->tier": "eq.gold"})) == {a["id"], c["id"]}
    since = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert set(ids(created_at=f"gte.{since}")) == {a["id"], b["id"]}
    assert ids(order="created_at.asc", limit="1") == [c["id"]]
    assert ids(order="created_at.desc")[-1] == c["id"]
    assert set(ids(**{"or": "(metadata->tier.eq.silver,metadata->assistant_id.eq.assistant-b)"})) == {b["id"], c["id"]}


def test_bad_filter_is_400(api):
    assert api.get("/ai/conversations", created_at="between.x").status_code == 400
    assert api.get("/ai/conversations", limit="0").status_code == 400
    assert api.get("/ai/conversations", order="nope.desc").status_code == 400


def test_add_message_and_paginate(api):
    conversation = _make(api)
    path = f"/ai/conversations/{conversation['id']}"
    for n in range(5):
        assert api.post(f"{path}/message", {"role": "user", "content": f"m{n}"}).status_code == 204
    page = api.get(f"{path}/messages", **{"page[size]": "2", "page[number]": "3"}).json()
    assert [m["text"] for m in page["data"]] == ["m4"]
    assert page["meta"] == {"page_number": 3, "page_size": 2, "total_pages": 3, "total_results": 5}


def test_add_message_validates_role_and_tool_calls(api):
    conversation = _make(api)
    path = f"/ai/conversations/{conversation['id']}/message"
    assert api.post(path, {"content": "x"}).json()["errors"][0]["source"]["pointer"] == "/role"
    bad = api.post(path, {"role": "assistant", "tool_calls": [{"id": "1", "type": "function", "function": {"name": "f"}}]})
    assert bad.json()["errors"][0]["source"]["pointer"] == "/tool_calls/0/function/arguments"


def test_insights_empty_until_both_sides_spoke(api, make_assistant):
    conversation = _make(api)
    path = f"/ai/conversations/{conversation['id']}/conversations-insights"
    assert api.get(path).json()["data"] == []
    assistant = make_assistant()
    api.post(f"/ai/assistants/{assistant['id']}/chat", {"content": "Refund please", "conversation_id": conversation["id"]})
    records = api.get(path).json()["data"]
    assert records[0]["status"] == "completed"
    assert "Refund please" in records[0]["conversation_insights"][0]["result"]
