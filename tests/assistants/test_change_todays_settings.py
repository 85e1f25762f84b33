"""Today's settings on the change form: transcription fallback models, PII redaction and data
locality, the fallback LLM, and Langfuse observability, with widgets and validation. Telnyx is
mocked with `responses`."""

from __future__ import annotations

import json

import pytest
import responses
from django.urls import reverse

from assistants.services import assistants as assistant_services

ASSISTANT_ID = "assistant-00000001-0000-4000-8000-000000000000"
CHANGE = reverse("assistants:assistant-change", args=[ASSISTANT_ID])

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(telnyx_base, rich_assistant, model_catalogue):
    assistant = {**rich_assistant, "observability_settings": {"status": "disabled"},
                 "transcription": {**(rich_assistant.get("transcription") or {}), "model": "deepgram/nova-3",
                                   "fallback_models": [{"model": "deepgram/flux"}]}}
    assistant_services.assistant_cache_put(assistant)
    responses.get(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=assistant)
    return assistant


@responses.activate
def test_the_form_shows_todays_settings_with_their_values(team_admin_client, live):
    content = team_admin_client.get(CHANGE).content.decode()
    for section in ("Fallback model", "Observability (Langfuse)"):
        assert f"<legend>{section}</legend>" in content
    assert '<option value="deepgram/flux" selected>' in content  # the stored fallback, in a multi-select
    assert 'name="in_transit_data_locality"' in content and 'name="observability_host"' in content


@responses.activate
def test_bad_values_keep_what_was_typed_with_field_errors(team_admin_client, live, form_data):
    data = form_data(team_admin_client.get(CHANGE))
    data.update({"observability_status": "enabled", "observability_host": "", "observability_prompt_sync": "enabled",
                 "transcription_fallback_models": ["deepgram/nova-3", "deepgram/flux", "xai/grok-stt", "reson8/turns"],
                 "name": "Typed name"})
    response = team_admin_client.post(CHANGE, data)
    form = response.context["form"]
    assert {"observability_host", "observability_public_key_ref", "observability_secret_key_ref",
            "observability_prompt_name", "transcription_fallback_models"} <= set(form.errors)
    assert 'value="Typed name"' in response.content.decode()
    assert not [c for c in responses.calls if c.request.method == "POST"]


@responses.activate
def test_the_settings_are_sent_merged_into_their_objects(team_admin_client, live, telnyx_base, version_json, form_data):
    data = form_data(team_admin_client.get(CHANGE))
    data.update({"observability_status": "enabled", "observability_host": "https://cloud.langfuse.com",
                 "observability_public_key_ref": "lf-public", "observability_secret_key_ref": "lf-secret",
                 "transcription_fallback_models": ["deepgram/flux", "xai/grok-stt"], "pii_redaction": "redact",
                 "in_transit_data_locality": "true", "save_as_version": ""})
    responses.post(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=version_json(live, "v-new", "v-new"))
    team_admin_client.post(CHANGE, data)
    body = json.loads([c for c in responses.calls if c.request.method == "POST"][-1].request.body)
    assert body["observability_settings"] == {"status": "enabled", "host": "https://cloud.langfuse.com",
                                              "public_key_ref": "lf-public", "secret_key_ref": "lf-secret"}
    assert body["transcription"]["fallback_models"] == [{"model": "deepgram/flux"}, {"model": "xai/grok-stt"}]
    assert body["transcription"]["model"] == "deepgram/nova-3"
    assert body["privacy_settings"]["pii_redaction"] == "redact" and body["privacy_settings"]["in_transit_data_locality"] is True


@responses.activate
def test_a_webhook_tool_timeout_is_sent_beside_the_webhook(team_admin_client, live, telnyx_base, version_json, form_data):
    page = team_admin_client.get(CHANGE)
    data = form_data(page)
    index = next(i for i, f in enumerate(page.context["tools"].forms) if f.tool_type == "webhook")
    data.update({f"tools-{index}-timeout_ms": "999999", "save_as_version": ""})
    refused = team_admin_client.post(CHANGE, data)
    assert refused.status_code == 200 and "timeout_ms" in refused.context["tools"].forms[index].errors
    assert not [c for c in responses.calls if c.request.method == "POST"]  # out of range: nothing sent
    data[f"tools-{index}-timeout_ms"] = "4500"
    responses.post(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=version_json(live, "v-new", "v-new"))
    team_admin_client.post(CHANGE, data)
    body = json.loads([c for c in responses.calls if c.request.method == "POST"][-1].request.body)
    webhook = body["tools"][index]
    assert webhook["timeout_ms"] == 4500 and "timeout_ms" not in webhook["webhook"]


@responses.activate
def test_the_insight_group_is_picked_from_the_cached_groups(team_admin_client, telnyx_base, rich_assistant, model_catalogue):
    from django.utils import timezone

    from conversations.models import InsightGroup

    assistant = {**rich_assistant, "insight_settings": {"insight_group_id": "group-gone"}}
    assistant_services.assistant_cache_put(assistant)
    responses.get(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=assistant)
    InsightGroup.objects.create(telnyx_id="group-qa", name="Support QA", synced_at=timezone.now())
    choices = dict(team_admin_client.get(CHANGE).context["form"].fields["insight_group_id"].choices)
    assert choices["group-qa"] == "Support QA"
    assert "not in the cached list" in choices["group-gone"]  # kept, never silently dropped
