"""Assistants, versions and models through the official SDK (strict validation)."""

import pytest
import telnyx

pytestmark = pytest.mark.contract


def test_assistant_and_version_lifecycle(sdk):
    created = sdk.ai.assistants.create(
        name="Contract bot", instructions="Answer briefly.", model="openai/gpt-4o", tags=["contract"],
        voice_settings={"voice": "Telnyx.KokoroTTS.af_heart"},
        transcription={"model": "deepgram/nova-3"},
        tools=[{"type": "webhook", "webhook": {"name": "lookup", "description": "Look up", "url": "https://example.com"}}],
        enabled_features=["telephony"],
    )
    assert created.id.startswith("assistant-") and created.version_id
    assert created.tools[0].type == "webhook"
    assert sdk.ai.assistants.retrieve(created.id).name == "Contract bot"
    assert created.id in [a.id for a in sdk.ai.assistants.list().data]

    draft = sdk.ai.assistants.update(created.id, instructions="Draft", promote_to_main=False, version_name="draft")
    assert draft.version_name == "draft"
    assert sdk.ai.assistants.retrieve(created.id).instructions == "Answer briefly."

    versions = sdk.ai.assistants.versions.list(created.id).data
    assert {v.version_id for v in versions} == {created.version_id, draft.version_id}
    got = sdk.ai.assistants.versions.retrieve(draft.version_id, assistant_id=created.id)
    assert got.instructions == "Draft"
    edited = sdk.ai.assistants.versions.update(draft.version_id, assistant_id=created.id, greeting="Hi")
    assert edited.greeting == "Hi"

    promoted = sdk.ai.assistants.versions.promote(draft.version_id, assistant_id=created.id)
    assert promoted.version_id == draft.version_id
    with pytest.raises(telnyx.BadRequestError):
        sdk.ai.assistants.versions.delete(draft.version_id, assistant_id=created.id)
    assert sdk.ai.assistants.versions.delete(created.version_id, assistant_id=created.id) is None

    clone = sdk.ai.assistants.clone(created.id)
    assert clone.id != created.id

    deleted = sdk.ai.assistants.delete(created.id)
    assert deleted.deleted is True
    page = sdk.ai.assistants.deleted.list()
    assert [d.id for d in page.data] == [created.id]
    assert sdk.ai.assistants.deleted.get(created.id).deleted_at
    restored = sdk.ai.assistants.restore(created.id)
    assert restored.id == created.id
    sdk.ai.assistants.delete(clone.id, hard_delete=True)
    with pytest.raises(telnyx.NotFoundError):
        sdk.ai.assistants.retrieve(clone.id)


def test_import_assistants(sdk):
    imported = sdk.ai.assistants.imports(provider="retell", api_key_ref="retell-key")
    assert {a.import_metadata.import_provider for a in imported.data} == {"retell"}


def test_validation_errors_surface_as_sdk_errors(sdk):
    with pytest.raises(telnyx.UnprocessableEntityError) as excinfo:
        sdk.ai.assistants.create(name="", instructions="x")
    assert excinfo.value.body["errors"][0]["source"]["pointer"] == "/name"


def test_unauthorised_client_gets_authentication_error(live_server, transactional_db):
    client = telnyx.Telnyx(api_key="wrong", base_url=live_server.url + "/sandbox/v2",
                           _strict_response_validation=True, max_retries=0)
    with client, pytest.raises(telnyx.AuthenticationError):
        client.ai.assistants.list()


def test_models(sdk):
    models = sdk.ai.openai.list_models()
    assert "anthropic/claude-3-5-sonnet" in [m.id for m in models.data]
