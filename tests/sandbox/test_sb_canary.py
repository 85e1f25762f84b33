"""Canary deploys: rule validation, CRUD, promote drops them, and weighted routing."""

import pytest

from sandbox import dice
from sandbox.behaviour.canary_rules import route


@pytest.fixture
def assistant_with_draft(api, make_assistant):
    assistant = make_assistant()
    draft = api.post(f"/ai/assistants/{assistant['id']}", {"instructions": "Draft", "promote_to_main": False}).json()
    return assistant, draft


def _path(assistant):
    return f"/ai/assistants/{assistant['id']}/canary-deploys"


def test_crud(api, assistant_with_draft):
    assistant, draft = assistant_with_draft
    path = _path(assistant)
    assert api.get(path).status_code == 404
    rules = [{"serve": {"rollout": [{"version_id": draft["version_id"], "weight": 25}]}}]
    created = api.post(path, {"rules": rules})
    assert created.status_code == 200
    assert created.json()["rules"] == rules
    assert api.post(path, {"rules": rules}).status_code == 409
    new_rules = [{"match": [{"attribute": "channel", "operator": "in", "values": ["sms_chat"]}],
                  "serve": {"version_id": draft["version_id"]}}]
    assert api.put(path, {"rules": new_rules}).json()["rules"] == new_rules
    assert api.get(path).json()["rules"] == new_rules
    assert api.delete(path).status_code == 204
    assert api.get(path).status_code == 404


@pytest.mark.parametrize("serve, pointer", [
    ({"rollout": [{"version_id": "DRAFT", "weight": 50}, {"version_id": "DRAFT", "weight": 150}]},
     "/rules/0/serve/rollout/1/weight"),
    ({"rollout": [{"version_id": "DRAFT", "weight": 60}, {"version_id": "MAIN", "weight": 40}]},
     "/rules/0/serve/rollout"),
    ({"rollout": [{"version_id": "missing", "weight": 10}]}, "/rules/0/serve/rollout/0/version_id"),
    ({"rollout": [{"version_id": "DRAFT"}]}, "/rules/0/serve/rollout/0/weight"),
    ({"version_id": "missing"}, "/rules/0/serve/version_id"),
    ({}, "/rules/0/serve"),
])
def test_bad_rules_are_422_with_pointer(api, assistant_with_draft, serve, pointer):
    assistant, draft = assistant_with_draft
    ids = {"DRAFT": draft["version_id"], "MAIN": assistant["version_id"]}
    for slot in serve.get("rollout", []):
        slot["version_id"] = ids.get(slot["version_id"], slot["version_id"])
    response = api.post(_path(assistant), {"rules": [{"serve": serve}]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == pointer


def test_bad_match_operator_pointer(api, assistant_with_draft):
    assistant, draft = assistant_with_draft
    rule = {"serve": {"version_id": draft["version_id"]},
            "match": [{"attribute": "to", "operator": "equals", "values": ["x"]}]}
    response = api.post(_path(assistant), {"rules": [rule]})
    assert response.json()["errors"][0]["source"]["pointer"] == "/rules/0/match/0/operator"


def test_promote_deletes_canary(api, assistant_with_draft):
    assistant, draft = assistant_with_draft
    api.post(_path(assistant), {"rules": [{"serve": {"rollout": [{"version_id": draft["version_id"], "weight": 5}]}}]})
    api.post(f"/ai/assistants/{assistant['id']}/versions/{draft['version_id']}/promote")
    assert api.get(_path(assistant)).status_code == 404


def test_canary_version_cannot_be_deleted(api, assistant_with_draft):
    assistant, draft = assistant_with_draft
    api.post(_path(assistant), {"rules": [{"serve": {"version_id": draft["version_id"]}}]})
    response = api.delete(f"/ai/assistants/{assistant['id']}/versions/{draft['version_id']}")
    assert response.status_code == 409


def test_route_respects_weights_over_many_draws(settings):
    dice.reset(settings.SANDBOX_SEED)
    rules = [{"serve": {"rollout": [{"version_id": "a", "weight": 20}, {"version_id": "b", "weight": 30}]}}]
    picks = [route(rules, {}, main_version_id="main") for _ in range(1000)]
    assert abs(picks.count("a") / 10 - 20) < 4
    assert abs(picks.count("b") / 10 - 30) < 4
    assert abs(picks.count("main") / 10 - 50) < 4


def test_route_first_matching_rule_wins():
    rules = [
        {"match": [{"attribute": "to", "operator": "starts_with", "values": ["+44"]}], "serve": {"version_id": "uk"}},
        {"match": [{"attribute": "channel", "operator": "not_in", "values": ["web_chat"]}], "serve": {"version_id": "voice"}},
    ]
    assert route(rules, {"to": "+447700900000", "channel": "phone_call"}, main_version_id="m") == "uk"
    assert route(rules, {"to": "+15550100", "channel": "phone_call"}, main_version_id="m") == "voice"
    assert route(rules, {"to": "+15550100", "channel": "web_chat"}, main_version_id="m") == "m"
    assert route([], {}, main_version_id="m") == "m"
