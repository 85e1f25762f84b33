"""The demo data set parses under the SDK's strict models, endpoint by endpoint."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.contract


def test_demo_data_validates_strictly(sdk):
    call_command("sandbox_seed", "--demo", stdout=open("/dev/null", "w"))
    assistants = sdk.ai.assistants.list().data
    assert len(assistants) == 8
    canaried = 0
    for assistant in assistants:
        versions = sdk.ai.assistants.versions.list(assistant.id).data
        assert len(versions) >= 1
        try:
            sdk.ai.assistants.canary_deploys.retrieve(assistant.id)
            canaried += 1
        except Exception:
            pass
        conversations = sdk.ai.conversations.list(metadata_assistant_id=f"eq.{assistant.id}").data
        assert conversations, assistant.name
        for message in sdk.ai.conversations.messages.list(conversations[0].id).data:
            assert message.role in ("user", "assistant")
        list(sdk.ai.assistants.scheduled_events.list(assistant.id))
    assert canaried == 1
    served = {c.metadata["assistant_version_id"] for c in sdk.ai.conversations.list(limit=1000).data}
    assert len(served) > len(assistants)  # some conversations were served by the canary version
    suites = sdk.ai.assistants.tests.test_suites.list().data
    assert suites == ["booking", "sales", "support"]
    statuses = set()
    for suite in suites:
        runs = sdk.ai.assistants.tests.test_suites.runs.list(suite, page_size=100).data
        assert runs
        statuses |= {r.status for r in runs}
    assert statuses == {"passed", "failed"}  # history shows both outcomes
    assert len(list(sdk.ai.mcp_servers.list())) == 3
    assert len(sdk.ai.integrations.connections.list().data) == 2
