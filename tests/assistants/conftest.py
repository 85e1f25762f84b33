"""Fixtures for the change form and versions tests: a rich assistant and a fresh model catalogue."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import timezone

from core.changelist.kept import forget_recent_pages
from inference.models import LanguageModel
from portal.models import SyncState

ASSISTANT_ID = "assistant-00000001-0000-4000-8000-000000000000"


@pytest.fixture(autouse=True)
def empty_cache():
    """The observed split and the canary editor's version names are cached; every test starts empty."""
    cache.clear()
    forget_recent_pages()  # this process's copies of kept pages too
    yield
    cache.clear()
    forget_recent_pages()  # this process's copies of kept pages too


@pytest.fixture
def model_catalogue(db):
    """A freshly synced catalogue, so forms never call Telnyx for models."""
    for model_id in ("m-large", "m-small"):
        LanguageModel.objects.create(telnyx_id=model_id, synced_at=timezone.now(),
                                     recommended_for_assistants=model_id == "m-large")
    SyncState.objects.create(resource="models", synced_at=timezone.now())


@pytest.fixture
def rich_assistant(assistant_json):
    """An assistant with tools, nested settings the form edits, and settings it does not."""
    return assistant_json(
        1,
        model="m-large",
        version_id="v-main",
        version_name="current",
        greeting="Hello!",
        voice_settings={"voice": "Telnyx.KokoroTTS.af_heart", "temperature": 0.7},
        transcription={"model": "deepgram/nova-3", "language": "en"},
        widget_settings={"theme": "dark"},
        enabled_features=["telephony"],
        tools=[
            {"type": "webhook", "webhook": {"name": "open_ticket", "description": "Open a ticket",
                                            "url": "https://example.com/hook", "method": "POST",
                                            "headers": [{"name": "X-Team", "value": "support"}]}},
            {"type": "hangup", "hangup": {"description": "End the call"}},
            {"type": "retrieval", "retrieval": {"bucket_ids": ["kb"]}, "shared": True},
        ],
    )


@pytest.fixture
def version_json():
    """Build a version object of `base`'s assistant (same shape as the assistant object)."""

    def build(base: dict, version_id: str, version_name: str, **overrides) -> dict:
        return {**base, "version_id": version_id, "version_name": version_name,
                "version_created_at": overrides.pop("version_created_at", "2026-11-21T10:00:00Z"), **overrides}

    return build


@pytest.fixture
def form_data():
    """What a browser would submit for the change form as rendered (every field at its value)."""

    def collect(response) -> dict:
        tools = response.context["tools"]
        data = {}
        for form in [response.context["form"], tools.management_form, *tools.forms]:
            for bound in form:
                value = bound.field.prepare_value(bound.value())
                if value in (None, False):
                    continue
                data[bound.html_name] = value
        return data

    return collect
