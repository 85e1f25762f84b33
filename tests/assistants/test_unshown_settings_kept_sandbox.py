"""A change-form save never drops what the form did not show: a stored transcription fallback's
`language` and `settings` survive a save made for another reason (sandbox over real HTTP)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from portal.telnyx import get_client

pytestmark = pytest.mark.django_db(transaction=True)

FALLBACK = {"model": "deepgram/flux", "language": "de", "settings": {"eot_threshold": 0.7}}


def test_a_save_keeps_a_stored_fallbacks_language_and_settings(team_admin_client, sandbox, form_data):
    call_command("sandbox_seed", "--demo", verbosity=0)
    aid = next(a for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Acme Support")["id"]
    get_client().post(f"ai/assistants/{aid}", json={
        "transcription": {"model": "deepgram/nova-3", "fallback_models": [FALLBACK]}, "promote_to_main": True})
    change = reverse("assistants:assistant-change", args=[aid])

    saved = team_admin_client.post(change, {**form_data(team_admin_client.get(change)),
                                            "greeting": "Hello from a save about something else."})

    version_id = saved.url.rstrip("/").split("/")[-1]
    version = get_client().get(f"ai/assistants/{aid}/versions/{version_id}").data
    assert version["greeting"] == "Hello from a save about something else."
    assert version["transcription"]["fallback_models"] == [FALLBACK]
