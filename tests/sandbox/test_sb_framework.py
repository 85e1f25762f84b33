"""The framework every endpoint shares: auth, errors, request ids, JSON bodies, paging."""

import pytest


def test_missing_key_gets_401_in_telnyx_envelope(anon_api):
    response = anon_api.get("/ai/assistants")
    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["code"] == "10009"
    assert error["title"]


def test_wrong_key_gets_401(client, db):
    response = client.get("/sandbox/v2/ai/assistants", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_every_response_has_a_request_id(api, anon_api):
    assert api.get("/ai/assistants")["X-Request-Id"]
    assert anon_api.get("/ai/assistants")["X-Request-Id"]
    assert api.get("/ai/assistants/assistant-missing")["X-Request-Id"]


def test_unknown_assistant_is_404(api):
    response = api.get("/ai/assistants/assistant-nope")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "10005"


def test_malformed_json_is_400(api):
    response = api.post("/ai/assistants", "{not json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"]["pointer"] == "/"


def test_wrong_method_is_405(api):
    response = api.put("/ai/assistants", {})
    assert response.status_code == 405
    assert "errors" in response.json()


def test_sandbox_needs_no_portal_login(anon_api):
    # LoginRequiredMiddleware must not redirect API calls to the login page.
    assert anon_api.get("/ai/assistants").status_code == 401


@pytest.mark.parametrize("query, parameter", [({"page[size]": "0"}, "page[size]"),
                                              ({"page[number]": "x"}, "page[number]"),
                                              ({"page[size]": "1000"}, "page[size]")])
def test_bad_page_params_are_400_with_parameter(api, query, parameter):
    response = api.get("/ai/assistants/deleted", **query)
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"]["parameter"] == parameter


def test_models_listed_at_seed_and_openai_paths(api):
    seed = api.get("/ai/models").json()
    current = api.get("/ai/openai/models").json()
    assert seed == current
    ids = [m["id"] for m in current["data"]]
    assert "meta-llama/Meta-Llama-3.1-8B-Instruct" in ids and "openai/gpt-4o" in ids
    assert all(m["tier"] in ("small", "medium", "large", "unlisted") for m in current["data"])
