"""Saving the change form in the service layer: Telnyx first, cache after, audit always."""

from __future__ import annotations

import json

import pytest
import responses
from django.core.exceptions import PermissionDenied

from assistants.models import Assistant, AssistantVersion, PromotionRecord
from assistants.services import assistants as assistant_services
from assistants.services import change
from portal.models import AuditEvent
from portal.telnyx import UnprocessableEntityError

pytestmark = pytest.mark.django_db

ASSISTANT_ID = "assistant-00000001-0000-4000-8000-000000000000"


@responses.activate
def test_save_makes_a_new_main_version_and_remembers_the_previous_main(telnyx_base, team_admin, rich_assistant, version_json):
    assistant_services.assistant_cache_put(rich_assistant)
    responses.post(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}",
                   json=version_json(rich_assistant, "v-2", "v2", greeting="Hi!"), headers={"x-request-id": "req-9"})

    change.assistant_update(user=team_admin, assistant_id=ASSISTANT_ID, changes={"greeting": "Hi!"}, before=rich_assistant)

    assert json.loads(responses.calls[0].request.body) == {"greeting": "Hi!", "promote_to_main": True}
    row = Assistant.objects.get(telnyx_id=ASSISTANT_ID)
    assert row.version_id == "v-2" and row.payload["greeting"] == "Hi!"
    assert AssistantVersion.objects.get(version_id="v-2").is_main
    record = PromotionRecord.objects.get()
    assert (record.kind, record.from_version_id, record.to_version_id) == ("save", "v-main", "v-2")
    event = AuditEvent.objects.get()
    assert event.changes == {"greeting": {"before": "Hello!", "after": "Hi!"}}
    assert (event.action, event.telnyx_request_id) == ("update", "req-9")


@responses.activate
def test_a_version_saved_beside_main_leaves_the_main_cache_alone(telnyx_base, team_admin, rich_assistant, version_json):
    assistant_services.assistant_cache_put(rich_assistant)
    responses.post(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=version_json(rich_assistant, "v-2", "try", greeting="Yo"))

    change.assistant_update(user=team_admin, assistant_id=ASSISTANT_ID, changes={"greeting": "Yo"}, before=rich_assistant,
                            promote_to_main=False, version_name="try")

    assert json.loads(responses.calls[0].request.body) == {"greeting": "Yo", "promote_to_main": False, "version_name": "try"}
    assert Assistant.objects.get(telnyx_id=ASSISTANT_ID).payload["greeting"] == "Hello!"
    assert not AssistantVersion.objects.get(version_id="v-2").is_main
    assert not PromotionRecord.objects.exists()


@responses.activate
def test_a_rejected_save_is_audited_and_caches_nothing(telnyx_base, team_admin, rich_assistant):
    assistant_services.assistant_cache_put(rich_assistant)
    responses.post(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", status=422,
                   json={"errors": [{"title": "Invalid", "detail": "Unknown model", "source": {"pointer": "/model"}}]})
    with pytest.raises(UnprocessableEntityError):
        change.assistant_update(user=team_admin, assistant_id=ASSISTANT_ID, changes={"model": "x"}, before=rich_assistant)
    assert Assistant.objects.get(telnyx_id=ASSISTANT_ID).model == "m-large"
    assert not AssistantVersion.objects.exists() and not PromotionRecord.objects.exists()
    event = AuditEvent.objects.get()
    assert event.outcome == "failure" and "Unknown model" in event.error_message


def test_viewer_cannot_save_even_bypassing_views(viewer, rich_assistant):
    with pytest.raises(PermissionDenied):
        change.assistant_update(user=viewer, assistant_id=ASSISTANT_ID, changes={"name": "x"}, before=rich_assistant)


@pytest.mark.parametrize("original", ['[1, 2]', '"text"', "null", '{"type": "webhook", "webhook": "x"}', "{"])
def test_a_tool_row_whose_hidden_original_is_not_its_object_is_read_as_a_new_tool(original):
    """The hidden `original` comes back from the browser; a JSON list or string there was a 500."""
    from assistants.forms.change import ToolForm

    form = ToolForm({"type": "webhook", "original": original, "name": "lookup", "url": "https://example.com/hook"})
    assert form.is_valid(), form.errors
    tool = form.to_tool()
    assert tool["type"] == "webhook" and tool["webhook"]["name"] == "lookup"
