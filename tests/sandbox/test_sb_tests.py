"""Assistant tests, suites and runs: validation, lazy statuses, deterministic verdicts."""

from datetime import timedelta

from django.utils import timezone

from sandbox.models import SbTestRun

RUBRIC = [{"name": "greets", "criteria": "Greets the caller"}, {"name": "books", "criteria": "Books a slot"},
          {"name": "polite", "criteria": "Stays polite"}]


def _make_test(api, destination, **fields):
    body = {"name": "Booking happy path", "destination": destination, "instructions": "Book a table for two. Be brief.",
            "rubric": RUBRIC, "test_suite": "booking", **fields}
    response = api.post("/ai/assistants/tests", body)
    assert response.status_code == 200, response.content
    return response.json()


def test_create_validates_rubric_items(api):
    response = api.post("/ai/assistants/tests", {"name": "n", "destination": "d", "instructions": "i",
                                                 "rubric": [{"name": "x"}]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/rubric/0/criteria"


def test_crud_and_filters(api, make_assistant):
    assistant = make_assistant()
    test = _make_test(api, assistant["id"])
    assert test["telnyx_conversation_channel"] == "web_chat"
    _make_test(api, assistant["id"], name="Other", test_suite="sales", telnyx_conversation_channel="sms_chat")
    assert api.get("/ai/assistants/tests/test-suites").json() == {"data": ["booking", "sales"]}
    listed = api.get("/ai/assistants/tests", test_suite="sales").json()["data"]
    assert [t["name"] for t in listed] == ["Other"]
    assert len(api.get("/ai/assistants/tests", telnyx_conversation_channel="web_chat").json()["data"]) == 1
    updated = api.put(f"/ai/assistants/tests/{test['test_id']}", {"name": "Renamed", "max_duration_seconds": 90}).json()
    assert (updated["name"], updated["max_duration_seconds"], updated["rubric"]) == ("Renamed", 90, RUBRIC)
    assert api.delete(f"/ai/assistants/tests/{test['test_id']}").status_code == 204
    assert api.get(f"/ai/assistants/tests/{test['test_id']}").status_code == 404


def test_run_reaches_final_state_with_transcript(api, make_assistant):
    assistant = make_assistant(instructions="You are Luigi's booking line.")
    test = _make_test(api, assistant["id"])
    run = api.post(f"/ai/assistants/tests/{test['test_id']}/runs").json()
    assert run["status"] in ("passed", "failed")
    assert [d["name"] for d in run["detail_status"]] == ["greets", "books", "polite"]
    assert "Luigi's booking line" in run["logs"]
    transcript = api.get(f"/ai/conversations/{run['conversation_id']}/messages").json()["data"]
    assert transcript[0]["role"] == "user"
    again = api.post(f"/ai/assistants/tests/{test['test_id']}/runs").json()
    assert again["detail_status"] == run["detail_status"]  # same test, same version, same verdict


def test_verdicts_vary_across_versions(api, make_assistant):
    assistant = make_assistant()
    test = _make_test(api, assistant["id"])
    outcomes = set()
    for n in range(12):
        version = api.post(f"/ai/assistants/{assistant['id']}", {"description": f"rev {n}", "promote_to_main": False}).json()
        run = api.post(f"/ai/assistants/tests/{test['test_id']}/runs",
                       {"destination_version_id": version["version_id"]}).json()
        outcomes.add(run["status"])
    assert outcomes == {"passed", "failed"}


def test_status_moves_through_states(api, make_assistant, settings):
    settings.SANDBOX_ASYNC_SECONDS = 100
    test = _make_test(api, make_assistant()["id"])
    run = api.post(f"/ai/assistants/tests/{test['test_id']}/runs").json()
    assert run["status"] == "pending" and "logs" not in run
    path = f"/ai/assistants/tests/{test['test_id']}/runs/{run['run_id']}"
    for seconds, status in ((15, "starting"), (50, "running")):
        SbTestRun.objects.filter(pk=run["run_id"]).update(created_at=timezone.now() - timedelta(seconds=seconds))
        assert api.get(path).json()["status"] == status
        assert api.get(f"/ai/assistants/tests/{test['test_id']}/runs", status=status).json()["meta"]["total_results"] == 1
    SbTestRun.objects.filter(pk=run["run_id"]).update(created_at=timezone.now() - timedelta(seconds=101))
    final = api.get(path).json()
    assert final["status"] in ("passed", "failed") and final["completed_at"]
    listed = api.get(f"/ai/assistants/tests/{test['test_id']}/runs", status=final["status"]).json()
    assert [r["run_id"] for r in listed["data"]] == [run["run_id"]]


def test_suite_trigger_returns_bare_array_and_history(api, make_assistant):
    assistant = make_assistant()
    first = _make_test(api, assistant["id"])
    second = _make_test(api, assistant["id"], name="Cancellation")
    runs = api.post("/ai/assistants/tests/test-suites/booking/runs",
                    {"destination_version_id": assistant["version_id"]}).json()
    assert isinstance(runs, list)
    assert {r["test_id"] for r in runs} == {first["test_id"], second["test_id"]}
    assert len({r["test_suite_run_id"] for r in runs}) == 1
    history = api.get("/ai/assistants/tests/test-suites/booking/runs",
                      test_suite_run_id=runs[0]["test_suite_run_id"]).json()
    assert history["meta"]["total_results"] == 2
    assert api.post("/ai/assistants/tests/test-suites/empty/runs").status_code == 404


def test_a_version_of_another_assistant_is_refused_with_a_pointer(api, make_assistant):
    acme, other = make_assistant(), make_assistant()
    _make_test(api, acme["id"])
    second = _make_test(api, other["id"], name="Order status")
    # The suite calls two assistants: one version cannot be right for both.
    response = api.post("/ai/assistants/tests/test-suites/booking/runs", {"destination_version_id": acme["version_id"]})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["source"]["pointer"] == "/destination_version_id" and "Order status" in error["detail"]
    assert not SbTestRun.objects.exists()  # nothing half-started
    single = api.post(f"/ai/assistants/tests/{second['test_id']}/runs", {"destination_version_id": acme["version_id"]})
    assert single.status_code == 422
    assert api.post(f"/ai/assistants/tests/{second['test_id']}/runs",
                    {"destination_version_id": other["version_id"]}).status_code == 200
