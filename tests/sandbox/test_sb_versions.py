"""Versions: every update is a version; promote_to_main; pruning; main is protected."""

from sandbox.models import SbCanaryDeploy


def test_update_with_promote_false_creates_non_main_version(api, make_assistant):
    assistant = make_assistant(instructions="Old")
    aid = assistant["id"]
    response = api.post(f"/ai/assistants/{aid}", {"instructions": "New", "promote_to_main": False,
                                                  "version_name": "draft"})
    assert response.status_code == 200
    draft = response.json()
    assert draft["version_name"] == "draft" and draft["instructions"] == "New"
    main = api.get(f"/ai/assistants/{aid}").json()
    assert main["instructions"] == "Old"
    assert main["version_id"] == assistant["version_id"]
    assert len(api.get(f"/ai/assistants/{aid}/versions").json()["data"]) == 2


def test_update_default_promotes_new_version(api, make_assistant):
    assistant = make_assistant()
    updated = api.post(f"/ai/assistants/{assistant['id']}", {"greeting": "Hello"}).json()
    assert updated["version_id"] != assistant["version_id"]
    assert api.get(f"/ai/assistants/{assistant['id']}").json()["greeting"] == "Hello"


def test_prune_keeps_ten_including_main_and_canary(api, make_assistant):
    assistant = make_assistant()
    aid = assistant["id"]
    first = assistant["version_id"]
    # Keep the oldest version alive by putting it in a canary rule.
    draft = api.post(f"/ai/assistants/{aid}", {"description": "d", "promote_to_main": False}).json()
    SbCanaryDeploy.objects.create(assistant_id=aid, rules=[{"serve": {"version_id": first}}],
                                  created_at="2026-01-01T00:00:00Z", updated_at="2026-01-01T00:00:00Z")
    for n in range(12):
        api.post(f"/ai/assistants/{aid}", {"description": f"rev {n}"})
    ids = [v["version_id"] for v in api.get(f"/ai/assistants/{aid}/versions").json()["data"]]
    assert len(ids) == 10
    assert first in ids
    assert draft["version_id"] not in ids
    assert api.get(f"/ai/assistants/{aid}").json()["version_id"] in ids


def test_main_version_cannot_be_updated_or_deleted(api, make_assistant):
    assistant = make_assistant()
    path = f"/ai/assistants/{assistant['id']}/versions/{assistant['version_id']}"
    assert api.post(path, {"instructions": "x"}).status_code == 400
    assert api.delete(path).status_code == 400


def test_non_main_version_update_and_delete(api, make_assistant):
    assistant = make_assistant()
    aid = assistant["id"]
    draft = api.post(f"/ai/assistants/{aid}", {"instructions": "Draft", "promote_to_main": False}).json()
    path = f"/ai/assistants/{aid}/versions/{draft['version_id']}"
    updated = api.post(path, {"instructions": "Draft 2", "version_name": "d2"}).json()
    assert (updated["instructions"], updated["version_name"]) == ("Draft 2", "d2")
    assert api.get(path).json()["instructions"] == "Draft 2"
    assert api.delete(path).status_code == 204
    assert api.get(path).status_code == 404


def test_promote_makes_main_and_drops_canary(api, make_assistant):
    assistant = make_assistant()
    aid = assistant["id"]
    draft = api.post(f"/ai/assistants/{aid}", {"instructions": "Canary", "promote_to_main": False}).json()
    SbCanaryDeploy.objects.create(assistant_id=aid, rules=[{"serve": {"rollout": [
        {"version_id": draft["version_id"], "weight": 10}]}}],
        created_at="2026-01-01T00:00:00Z", updated_at="2026-01-01T00:00:00Z")
    promoted = api.post(f"/ai/assistants/{aid}/versions/{draft['version_id']}/promote").json()
    assert promoted["version_id"] == draft["version_id"]
    assert api.get(f"/ai/assistants/{aid}").json()["instructions"] == "Canary"
    assert not SbCanaryDeploy.objects.filter(assistant_id=aid).exists()


def test_unknown_version_is_404(api, make_assistant):
    assistant = make_assistant()
    assert api.get(f"/ai/assistants/{assistant['id']}/versions/nope").status_code == 404
