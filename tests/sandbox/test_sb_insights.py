"""Insight templates and groups: CRUD, validation, paging, assign/unassign."""

import pytest


@pytest.fixture
def make_insight(api):
    def make(**fields):
        body = {"name": "Sentiment", "instructions": "Rate the sentiment.", **fields}
        response = api.post("/ai/conversations/insights", body)
        assert response.status_code == 200, response.content
        return response.json()["data"]

    return make


def test_template_crud_round_trip(api, make_insight):
    created = make_insight(json_schema={"type": "object"}, webhook="https://example.com/hook")
    assert created["insight_type"] == "custom" and created["json_schema"] == {"type": "object"}
    path = f"/ai/conversations/insights/{created['id']}"
    assert api.get(path).json()["data"]["name"] == "Sentiment"
    updated = api.put(path, {"instructions": "Rate it 1-5.", "json_schema": '{"type": "integer"}'}).json()["data"]
    assert updated["instructions"] == "Rate it 1-5." and updated["json_schema"] == '{"type": "integer"}'
    assert updated["name"] == "Sentiment"
    assert api.delete(path).status_code == 204
    assert api.get(path).status_code == 404


def test_template_create_validation_points_at_fields(api):
    response = api.post("/ai/conversations/insights", {"name": 5})
    assert response.status_code == 422
    pointers = {e["source"]["pointer"] for e in response.json()["errors"]}
    assert pointers == {"/instructions", "/name"}


def test_template_json_schema_string_must_be_an_object(api):
    response = api.post("/ai/conversations/insights", {"name": "x", "instructions": "y", "json_schema": "not json"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/json_schema"


def test_template_update_rejects_empty_name(api, make_insight):
    template = make_insight()
    response = api.put(f"/ai/conversations/insights/{template['id']}", {"name": ""})
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/name"


def test_template_list_is_paginated(api, make_insight):
    for n in range(5):
        make_insight(name=f"Insight {n}")
    page = api.get("/ai/conversations/insights", **{"page[number]": 2, "page[size]": 2}).json()
    assert [t["name"] for t in page["data"]] == ["Insight 2", "Insight 3"]
    assert page["meta"] == {"page_number": 2, "page_size": 2, "total_pages": 3, "total_results": 5}


def test_group_assign_unassign_and_delete(api, make_insight):
    first, second = make_insight(name="A"), make_insight(name="B")
    group = api.post("/ai/conversations/insight-groups", {"name": "QA", "description": "Review"}).json()["data"]
    assert group["insights"] == []
    base = f"/ai/conversations/insight-groups/{group['id']}"
    for template in (first, second, first):  # assigning twice is harmless
        assert api.post(f"{base}/insights/{template['id']}/assign").status_code == 204
    assert [t["name"] for t in api.get(base).json()["data"]["insights"]] == ["A", "B"]

    assert api.delete(f"{base}/insights/{first['id']}/unassign").status_code == 204
    assert [t["id"] for t in api.get(base).json()["data"]["insights"]] == [second["id"]]
    assert api.delete(f"{base}/insights/{first['id']}/unassign").status_code == 404

    renamed = api.put(base, {"name": "Quality"}).json()["data"]
    assert renamed["name"] == "Quality" and renamed["description"] == "Review"
    listed = api.get("/ai/conversations/insight-groups").json()
    assert [g["name"] for g in listed["data"]] == ["Quality"] and listed["meta"]["total_results"] == 1

    assert api.delete(base).status_code == 204
    assert api.get(base).status_code == 404
    # The templates outlive the group.
    assert api.get(f"/ai/conversations/insights/{second['id']}").status_code == 200


def test_assign_unknown_ids_is_404(api, make_insight):
    template = make_insight()
    group = api.post("/ai/conversations/insight-groups", {"name": "QA"}).json()["data"]
    assert api.post(f"/ai/conversations/insight-groups/nope/insights/{template['id']}/assign").status_code == 404
    assert api.post(f"/ai/conversations/insight-groups/{group['id']}/insights/nope/assign").status_code == 404


def test_group_requires_name(api):
    response = api.post("/ai/conversations/insight-groups", {"description": "no name"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/name"
