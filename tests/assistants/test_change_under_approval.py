"""With two-person approval on, the Change tab saves a version that is not live, and says that
making it live needs a second Admin; with the rule off the page says nothing of approval.
Telnyx mocked (`responses`)."""

from __future__ import annotations

import html
import json

import pytest
import responses
from django.contrib.messages import get_messages
from django.urls import reverse

from assistants.models import PromotionRecord
from assistants.services import assistants as assistant_services

ASSISTANT_ID = "assistant-00000001-0000-4000-8000-000000000000"
CHANGE = reverse("assistants:assistant-change", args=[ASSISTANT_ID])

pytestmark = pytest.mark.django_db


def save_greeting(client, telnyx_base, rich_assistant, version_json, form_data) -> tuple[dict, str]:
    assistant_services.assistant_cache_put(rich_assistant)
    responses.get(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=rich_assistant)
    responses.post(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=version_json(rich_assistant, "v-new", "v-new"))
    response = client.post(CHANGE, {**form_data(client.get(CHANGE)), "greeting": "A greeting edited alone."})
    body = json.loads([c for c in responses.calls if c.request.method == "POST"][-1].request.body)
    return body, html.unescape(" ".join(str(m) for m in get_messages(response.wsgi_request)))


@responses.activate
def test_with_two_person_approval_a_save_is_a_draft_whose_release_needs_a_second_admin(
        settings, team_admin_client, telnyx_base, rich_assistant, model_catalogue, version_json, form_data):
    settings.RELEASES_TWO_PERSON_APPROVAL = True
    body, flash = save_greeting(team_admin_client, telnyx_base, rich_assistant, version_json, form_data)
    assert body["promote_to_main"] is False and not PromotionRecord.objects.exists()
    assert "It is not live" in flash and "needs a second Admin's approval" in flash


@responses.activate
def test_without_the_rule_the_flash_says_nothing_of_approval(
        settings, team_admin_client, telnyx_base, rich_assistant, model_catalogue, version_json, form_data):
    settings.RELEASES_TWO_PERSON_APPROVAL = False
    body, flash = save_greeting(team_admin_client, telnyx_base, rich_assistant, version_json, form_data)
    assert body["promote_to_main"] is False and "It is not live" in flash and "second Admin" not in flash
