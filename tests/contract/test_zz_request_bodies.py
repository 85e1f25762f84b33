"""Every JSON body the portal sends to Telnyx satisfies the official SDK's params types.

Runs last in tests/contract (file order). The recorder in tests/conftest.py keeps every body
the portal sent to the sandbox during this session; this file first drives a representative
set of writes itself (so it proves something when run alone), then validates everything
recorded. A wrong or misspelt field name fails here, naming the endpoint and the field.
bin/test runs the suite in parallel processes and this file alone afterwards: it then also
reads the bodies every process left in TEST_RECORD_DIR.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.contract.request_bodies import RECORDED, Recorded, load_recorded, problems

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(sandbox, settings):
    settings.SANDBOX_ASYNC_SECONDS = 0
    call_command("sandbox_seed", "--demo", verbosity=0)


def drive_representative_writes(admin) -> None:
    """Writes and body-carrying reads across the apps, through their services, as the UI sends them."""
    from inference import services as inference
    from inference.selectors import fine_tunable_model_choices
    from knowledge import services as knowledge
    from knowledge.selectors import bucket_filenames, bucket_names
    from mcp_servers import services as mcp

    knowledge.buckets_sync()
    bucket = bucket_names()[0]
    knowledge.bucket_embed(user=admin, bucket=bucket, options={"document_chunk_size": 512,
                           "document_chunk_overlap_size": 64, "embedding_model": "thenlper/gte-large", "loader": "default"})
    knowledge.bucket_embed_url(user=admin, bucket=bucket, url="https://example.com/faq")
    knowledge.similarity_search(user=admin, bucket=bucket, query="refund", num_of_docs=3)
    knowledge.summarize(user=admin, bucket=bucket, filename=bucket_filenames(bucket)[0], system_prompt="Be brief.")
    knowledge.cluster_compute(user=admin, bucket=bucket, options={"min_cluster_size": 2, "min_subcluster_size": 2, "prefix": ""})
    created = mcp.mcp_server_create(user=admin, data={"name": "Docs", "type": "http", "url": "https://docs.example.com/mcp",
                                                      "allowed_tools": ["search"]})
    mcp.mcp_server_update(user=admin, server_id=created["id"], data={"name": "Docs 2", "type": "sse",
                                                                     "url": "https://docs.example.com/sse", "allowed_tools": None})
    inference.ensure_models_cached()
    model = inference.form_model_choices()[0][0]
    inference.chat_completion(user=admin, model=model, messages=[{"role": "system", "content": "Be brief."},
                                                                 {"role": "user", "content": "Hi"}], temperature=0.2, max_tokens=50)
    inference.fine_tuning_job_create(user=admin, model=fine_tunable_model_choices()[0][0], training_file=bucket,
                                     n_epochs=2, suffix="support")


def test_a_representative_set_of_portal_writes_matches_the_sdk_types(demo, team_admin):
    start = len(RECORDED)
    drive_representative_writes(team_admin)
    mine = RECORDED[start:]
    sent = {(r.method, r.path.split("/")[1]) for r in mine}
    assert {("POST", "embeddings"), ("POST", "clusters"), ("POST", "mcp_servers"), ("PUT", "mcp_servers"),
            ("POST", "openai"), ("POST", "fine_tuning"), ("POST", "summarize")} <= sent
    assert [p for r in mine for p in problems(r)] == []


def test_a_wrong_field_name_is_caught():
    """The check itself: a misspelt field and a wrong type each fail, naming where."""
    assert problems(Recorded("POST", "ai/clusters", {"bucket": "kb", "min_clustr_size": 2})) == [
        "POST ai/clusters (ClusterComputeParams): min_clustr_size: Extra inputs are not permitted"]
    nested = problems(Recorded("POST", "ai/fine_tuning/jobs", {"model": "m", "training_file": "kb",
                                                               "hyperparameters": {"n_epochs": "many"}}))
    assert len(nested) == 1 and "hyperparameters.n_epochs" in nested[0]


def test_every_body_the_portal_sent_to_the_sandbox_this_session_matches_the_sdk_types():
    assert RECORDED, "nothing was recorded: is the recorder in tests/conftest.py active?"
    # bin/test runs the suite in parallel processes first; each left what it sent in TEST_RECORD_DIR.
    record_dir = os.environ.get("TEST_RECORD_DIR")
    others = load_recorded(Path(record_dir)) if record_dir else []
    if record_dir:
        assert others, f"no bodies were left in {record_dir} by the parallel run"
    failures = sorted({p for r in [*RECORDED, *others] for p in problems(r)})
    assert failures == [], "\n".join(failures)


def test_wire_names_are_checked_not_python_names():
    """The SDK sends `from_` as `from`: the portal must send `from`, and `from_` is an error."""
    assert problems(Recorded("POST", "ai/assistants/a1/chat/sms", {"from": "+15550001", "to": "+15550002", "text": "hi"})) == []
    assert problems(Recorded("POST", "ai/assistants/a1/chat/sms", {"from_": "+15550001", "to": "+15550002", "text": "hi"}))


def test_every_tool_type_form_and_the_change_forms_picks_send_sdk_bodies(demo, team_admin):
    """The bodies the shared tool type forms build (shared_tools/definitions.py) and the change
    form's MCP server and integration picks, sent through their services."""
    from assistants.services.assistants import assistants_sync
    from assistants.services.change import assistant_update
    from portal.telnyx import get_client
    from portal.telnyx.resources import integrations, mcp_servers
    from shared_tools.definitions import definition_form
    from shared_tools.services import tool_create
    from tests.shared_tools.test_tool_type_forms import EVERY_TYPE

    assert assistants_sync().ok
    assistant = get_client().get("ai/assistants").data["data"][0]
    start = len(RECORDED)
    forms = {kind: settings for kind, (settings, _) in EVERY_TYPE.items()}
    forms["handoff"] = {"ai_assistants": [assistant["id"]], "voice_mode": "distinct"}
    forms["retrieval"] = {"bucket_ids": ["kb"], "max_num_results": "2"}
    for kind, settings in forms.items():
        form = definition_form(kind, {f"definition-{k}": v for k, v in settings.items()},
                               assistants=[(assistant["id"], assistant["name"])], buckets=["kb"])
        assert form.is_valid(), (kind, form.errors)
        tool_create(user=team_admin, data={"display_name": kind, "type": kind, kind: form.definition(), "timeout_ms": 3000})
    server = next(s for s in mcp_servers.list_all() if s.get("allowed_tools"))
    connection = integrations.list_connections()[0]
    assistant_update(user=team_admin, assistant_id=assistant["id"], before=assistant, promote_to_main=False, changes={
        "mcp_servers": [{"id": server["id"], "allowed_tools": server["allowed_tools"][:1]}],
        "integrations": [{"integration_id": connection["integration_id"], "allowed_list": connection["allowed_tools"][:1]}]})
    mine = RECORDED[start:]
    assert len([r for r in mine if r.method == "POST" and r.path == "ai/tools"]) == 9
    assert [p for r in mine for p in problems(r)] == []
