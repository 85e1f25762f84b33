"""The sidebar offers only what the role can open."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_viewer_is_not_offered_playgrounds_it_cannot_use(viewer_client):
    content = viewer_client.get(reverse("dashboard")).content.decode()
    assert reverse("inference:chat") not in content and reverse("inference:transcribe") not in content
    assert viewer_client.get(reverse("inference:chat")).status_code == 403  # what the link would have led to
    assert "Fine-tuning" in content and "Models" in content


def test_operator_is_offered_chat_completions_and_transcription(operator_client):
    content = operator_client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("inference:chat")}">Chat completions</a>' in content
    assert f'href="{reverse("inference:transcribe")}">Transcription</a>' in content
