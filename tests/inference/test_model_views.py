"""The model catalogue pages: cache-backed changelist, refresh from Telnyx, detail."""

from __future__ import annotations

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from inference.models import LanguageModel
from portal.models import SyncState

pytestmark = pytest.mark.django_db

LIST = reverse("inference:model-list")


def model_json(model_id: str, org: str, tier: str = "large", context: int = 8192, recommended: bool = False) -> dict:
    return {
        "id": model_id, "organization": org, "owned_by": org, "tier": tier, "context_length": context,
        "created": 1721692800, "languages": ["en"], "license": "apache-2.0", "parameters": 8,
        "recommended_for_assistants": recommended,
    }


@pytest.fixture
def catalogue():
    for data in (
        model_json("openai/gpt-4o", "openai", context=128000, recommended=True),
        model_json("meta-llama/Meta-Llama-3.1-8B-Instruct", "meta-llama", tier="small"),
        model_json("anthropic/claude-3-5-haiku", "anthropic", tier="medium"),
    ):
        LanguageModel.objects.create(
            telnyx_id=data["id"], organization=data["organization"], tier=data["tier"],
            context_length=data["context_length"], recommended_for_assistants=data["recommended_for_assistants"],
            payload=data, synced_at=timezone.now(),
        )
    SyncState.objects.create(resource="models", synced_at=timezone.now())


@responses.activate
def test_list_filters_by_organization_and_recommended_without_calling_telnyx(viewer_client, catalogue):
    content = viewer_client.get(LIST, {"recommended": "1"}).content.decode()
    assert "openai/gpt-4o" in content and "claude-3-5-haiku" not in content and "1 result" in content
    content = viewer_client.get(LIST, {"organization": "meta-llama"}).content.decode()
    assert "Meta-Llama-3.1-8B-Instruct" in content and "gpt-4o" not in content
    assert len(responses.calls) == 0


def test_sort_by_context_length_descending(viewer_client, catalogue):
    content = viewer_client.get(LIST, {"sort": "-context"}).content.decode()
    assert content.index("openai/gpt-4o") < content.index("claude-3-5-haiku")


@responses.activate
def test_refresh_replaces_the_catalogue(viewer_client, telnyx_base, catalogue):
    responses.get(f"{telnyx_base}/ai/openai/models", json={"object": "list", "data": [model_json("google/gemma-3-27b-it", "google")]})
    response = viewer_client.post(reverse("inference:model-refresh"), headers={"HX-Request": "true"})
    assert b"google/gemma-3-27b-it" in response.content and b"<html" not in response.content
    assert list(LanguageModel.objects.values_list("telnyx_id", flat=True)) == ["google/gemma-3-27b-it"]


@responses.activate
def test_refresh_failure_keeps_the_catalogue_and_says_why(viewer_client, telnyx_base, catalogue):
    responses.get(f"{telnyx_base}/ai/openai/models", status=429, headers={"Retry-After": "1"})
    response = viewer_client.post(reverse("inference:model-refresh"), headers={"HX-Request": "true"})
    assert b"rate limiting" in response.content and b"openai/gpt-4o" in response.content
    assert LanguageModel.objects.count() == 3


def test_detail_of_a_model_whose_id_has_a_slash(viewer_client, catalogue):
    response = viewer_client.get(reverse("inference:model-detail", args=["openai/gpt-4o"]))
    assert response.status_code == 200
    assert b"128,000 tokens" in response.content and b"Recommended" in response.content
    assert viewer_client.get(reverse("inference:model-detail", args=["no/such"])).status_code == 404


def test_a_form_waits_for_a_catalogue_sync_another_request_is_running(monkeypatch):
    """Opened while another server syncs the models, the form waits for that sync."""
    from datetime import timedelta

    from inference import services

    SyncState.objects.create(resource="models", lease_until=timezone.now() + timedelta(seconds=60))
    waited = []

    def finish_the_other_sync(resource, **kwargs):
        waited.append(resource)
        LanguageModel.objects.create(telnyx_id="late/model", synced_at=timezone.now())
        return True

    monkeypatch.setattr(services, "wait_for_running_sync", finish_the_other_sync)
    assert services.form_model_choices() == [("late/model", "late/model")]
    assert waited == ["models"]


def test_model_choices_reads_only_the_cache(catalogue):
    """The selector never calls Telnyx, even when the catalogue is stale: a recommended model first."""
    SyncState.objects.filter(resource="models").update(synced_at=None)
    from inference import selectors

    with responses.RequestsMock() as mock:  # any HTTP call would fail as unregistered
        choices = selectors.model_choices()
        assert len(mock.calls) == 0
    assert choices[0] == ("openai/gpt-4o", "openai/gpt-4o ★") and len(choices) == 3
