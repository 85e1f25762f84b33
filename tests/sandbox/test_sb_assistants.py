"""Assistant lifecycle: validation, soft and hard delete, restore, clone, import."""


def test_create_requires_name_with_pointer(api):
    response = api.post("/ai/assistants", {"instructions": "x"})
    assert response.status_code == 422
    assert [e["source"]["pointer"] for e in response.json()["errors"]] == ["/name"]


def test_create_reports_wrong_types_with_pointers(api):
    response = api.post("/ai/assistants", {"name": "a", "instructions": "b", "tags": ["ok", 3],
                                           "voice_settings": {"speed": 1}})
    assert response.status_code == 422
    pointers = {e["source"]["pointer"] for e in response.json()["errors"]}
    assert pointers == {"/tags/1"}


def test_nested_required_field_pointer(api):
    response = api.post("/ai/assistants", {"name": "a", "instructions": "b", "voice_settings": {}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/voice_settings/voice"


def test_duplicate_single_instance_tool_is_400_10015(api):
    hangup = {"type": "hangup", "hangup": {}}
    response = api.post("/ai/assistants", {"name": "a", "instructions": "b", "tools": [hangup, hangup]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "10015"


def test_create_applies_default_model_and_first_version(api, make_assistant):
    assistant = make_assistant()
    assert assistant["id"].startswith("assistant-")
    assert assistant["model"]
    versions = api.get(f"/ai/assistants/{assistant['id']}/versions").json()["data"]
    assert [v["version_id"] for v in versions] == [assistant["version_id"]]


def test_soft_delete_then_restore(api, make_assistant):
    assistant = make_assistant(name="Temp")
    response = api.delete(f"/ai/assistants/{assistant['id']}")
    assert response.json() == {"id": assistant["id"], "deleted": True, "object": "assistant"}
    assert api.get(f"/ai/assistants/{assistant['id']}").status_code == 404
    assert assistant["id"] not in [a["id"] for a in api.get("/ai/assistants").json()["data"]]
    deleted = api.get("/ai/assistants/deleted").json()
    assert [a["id"] for a in deleted["data"]] == [assistant["id"]]
    assert deleted["meta"]["total_results"] == 1
    assert api.get(f"/ai/assistants/{assistant['id']}/deleted").json()["permanently_deleted_at"]
    restored = api.post(f"/ai/assistants/{assistant['id']}/restore")
    assert restored.status_code == 200
    assert api.get(f"/ai/assistants/{assistant['id']}").json()["name"] == "Temp"


def test_hard_delete_is_permanent(api, make_assistant):
    assistant = make_assistant()
    api.delete(f"/ai/assistants/{assistant['id']}", hard_delete="true")
    assert api.get(f"/ai/assistants/{assistant['id']}/deleted").status_code == 404
    assert api.post(f"/ai/assistants/{assistant['id']}/restore").status_code == 404


def test_delete_refused_while_another_assistant_hands_off_to_it(api, make_assistant):
    target = make_assistant(name="Target")
    make_assistant(name="Router", tools=[{"type": "handoff", "handoff": {
        "ai_assistants": [{"id": target["id"], "name": "Target"}]}}])
    assert api.delete(f"/ai/assistants/{target['id']}").status_code == 400


def test_clone_drops_telephony_and_messaging(api, make_assistant):
    source = make_assistant(telephony_settings={"time_limit_secs": 60}, tags=["x"])
    clone = api.post(f"/ai/assistants/{source['id']}/clone").json()
    assert clone["id"] != source["id"]
    assert clone["tags"] == ["x"]
    assert "telephony_settings" not in clone


def test_import_creates_then_overwrites(api):
    first = api.post("/ai/assistants/import", {"provider": "vapi", "api_key_ref": "vapi-key"}).json()["data"]
    assert {a["import_metadata"]["import_provider"] for a in first} == {"vapi"}
    again = api.post("/ai/assistants/import", {"provider": "vapi", "api_key_ref": "vapi-key"}).json()["data"]
    assert sorted(a["id"] for a in again) == sorted(a["id"] for a in first)


def test_import_rejects_unknown_provider(api):
    response = api.post("/ai/assistants/import", {"provider": "acme", "api_key_ref": "k"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/provider"
