"""The chat-completions playground streamed over real HTTP against the sandbox: the fragments
arrive one by one and the page ends exactly as the whole-reply playground renders it."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def model(sandbox, operator_client):
    call_command("sandbox_seed", "--demo", verbosity=0)
    return operator_client.get(reverse("inference:chat")).context["form"].fields["model"].choices[0][0]


def events_of(response) -> list[tuple[str, dict]]:
    text = b"".join(response.streaming_content).decode()
    found = []
    for block in filter(None, text.split("\n\n")):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        found.append((lines["event"], json.loads(lines["data"])))
    return found


def test_a_streamed_turn_ends_as_the_whole_reply_would(operator_client, model):
    post = {"model": model, "message": "How do I restart my router?", "history": ""}
    events = events_of(operator_client.post(reverse("inference:chat-stream"), post))
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "model" and events[0][1]["text"] == model
    assert kinds.count("delta") > 1 and kinds[-1] == "done"
    done = events[-1][1]
    assert "".join(data["text"] for kind, data in events if kind == "delta") == done["text"]
    whole = operator_client.post(reverse("inference:chat"), post, headers={"HX-Request": "true"})
    assert json.loads(whole.context["form"].initial["history"])[1]["content"] == done["text"]
    assert "How do I restart my router?" in done["html"] and 'name="history"' in done["html"]


def test_a_failure_before_the_reply_renders_the_playground_with_the_message_kept(operator_client, model, settings):
    settings.SANDBOX_FAULTS = "status=503"
    response = operator_client.post(reverse("inference:chat-stream"), {"model": model, "message": "Keep this text", "history": ""})
    assert response["Content-Type"].startswith("text/html")
    assert b"server error (503)" in response.content and b"Keep this text" in response.content
