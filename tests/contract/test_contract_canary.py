"""Canary deploys through the official SDK."""

import pytest
import telnyx

pytestmark = pytest.mark.contract


def test_canary_deploy_lifecycle(sdk):
    assistant = sdk.ai.assistants.create(name="Canary bot", instructions="Main")
    draft = sdk.ai.assistants.update(assistant.id, instructions="Canary", promote_to_main=False)
    rules = [{"match": [{"attribute": "channel", "operator": "in", "values": ["web_chat"]}],
              "serve": {"rollout": [{"version_id": draft.version_id, "weight": 30}]}}]
    created = sdk.ai.assistants.canary_deploys.create(assistant.id, rules=rules)
    assert created.assistant_id == assistant.id
    assert created.rules[0].serve.rollout[0].weight == 30
    assert created.rules[0].match[0].operator == "in"
    got = sdk.ai.assistants.canary_deploys.retrieve(assistant.id)
    assert got.rules[0].serve.rollout[0].version_id == draft.version_id
    updated = sdk.ai.assistants.canary_deploys.update(assistant.id, rules=[{"serve": {"version_id": draft.version_id}}])
    assert updated.rules[0].serve.version_id == draft.version_id
    with pytest.raises(telnyx.UnprocessableEntityError):
        sdk.ai.assistants.canary_deploys.update(
            assistant.id, rules=[{"serve": {"rollout": [{"version_id": draft.version_id, "weight": 100}]}}])
    assert sdk.ai.assistants.canary_deploys.delete(assistant.id) is None
    with pytest.raises(telnyx.NotFoundError):
        sdk.ai.assistants.canary_deploys.retrieve(assistant.id)
