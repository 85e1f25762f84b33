"""Every assistant write carries the Idempotency-Key its form was rendered with; the key is
kept when the form is re-rendered after a failure nobody can be sure of (5xx, timeout,
dropped connection), and renewed only after Telnyx refused (4xx), so a corrected form is a
new request. Telnyx is mocked with `responses`."""

from __future__ import annotations

import pytest
import responses
from django.urls import reverse

from assistants.services import assistants as assistant_services

pytestmark = pytest.mark.django_db

AID = "assistant-00000001-0000-4000-8000-000000000000"
CHANGE = reverse("assistants:assistant-change", args=[AID])


@pytest.fixture
def live(telnyx_base, rich_assistant, model_catalogue):
    assistant_services.assistant_cache_put(rich_assistant)
    responses.get(f"{telnyx_base}/ai/assistants/{AID}", json=rich_assistant)
    return rich_assistant


def keys_sent(method: str = "POST") -> list[str]:
    return [c.request.headers.get("Idempotency-Key") for c in responses.calls if c.request.method == method]


@responses.activate
def test_change_form_key_is_kept_after_a_5xx_and_renewed_after_a_422(team_admin_client, live, telnyx_base, form_data):
    data = {**form_data(team_admin_client.get(CHANGE)), "name": "Renamed", "save_as_version": ""}
    rendered_key = data["idempotency_key"]
    assert rendered_key
    responses.post(f"{telnyx_base}/ai/assistants/{AID}", status=503, json={"errors": [{"title": "Unavailable"}]})

    after_503 = team_admin_client.post(CHANGE, data)

    assert keys_sent() == [rendered_key]
    assert after_503.context["form"]["idempotency_key"].value() == rendered_key  # same request if resubmitted

    responses.replace(responses.POST, f"{telnyx_base}/ai/assistants/{AID}", status=422,
                      json={"errors": [{"title": "Invalid", "detail": "Name taken", "source": {"pointer": "/name"}}]})
    after_422 = team_admin_client.post(CHANGE, form_data(after_503) | {"save_as_version": ""})

    assert keys_sent() == [rendered_key, rendered_key]
    renewed = after_422.context["form"]["idempotency_key"].value()
    assert renewed and renewed != rendered_key  # the corrected form will be a new request
    assert 'value="Renamed"' in after_422.content.decode()


@responses.activate
def test_promote_confirm_page_carries_one_key_into_the_promotion(team_admin_client, live, telnyx_base, version_json):
    staged = version_json(live, "v-staged", "staged")
    responses.get(f"{telnyx_base}/ai/assistants/{AID}/versions/v-staged", json=staged)
    responses.get(f"{telnyx_base}/ai/assistants/{AID}/canary-deploys", status=404)
    responses.post(f"{telnyx_base}/ai/assistants/{AID}/versions/v-staged/promote", json={**live, "version_id": "v-staged"})
    url = reverse("assistants:version-promote", args=[AID, "v-staged"])
    key = team_admin_client.get(url).context["idempotency_key"]

    team_admin_client.post(url, {"idempotency_key": key, "override_reason": "no suites for this assistant yet"})

    assert keys_sent() == [key]
