"""Chat completions, transcription and fine-tuning pages over real HTTP against the sandbox."""

from __future__ import annotations

import io
import json
import re
import wave

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from inference.models import FineTuningJob
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(sandbox, settings):
    settings.SANDBOX_ASYNC_SECONDS = 0
    call_command("sandbox_seed", "--demo", verbosity=0)


def test_chat_playground_carries_the_conversation_between_turns(operator_client, demo):
    page = operator_client.get(reverse("inference:chat"))
    model = page.context["form"].fields["model"].choices[0][0]
    first = operator_client.post(reverse("inference:chat"), {"model": model, "message": "How do I restart my router?", "history": ""})
    history = json.loads(first.context["form"].initial["history"])
    assert [m["role"] for m in history] == ["user", "assistant"] and "router" in history[1]["content"]
    second = operator_client.post(reverse("inference:chat"), {"model": model, "message": "And the modem?", "history": json.dumps(history)},
                                  headers={"HX-Request": "true"})
    content = second.content.decode()
    assert "How do I restart my router?" in content and "And the modem?" in content and "<html" not in content


def test_chat_failure_keeps_the_message(operator_client, demo, settings):
    model = operator_client.get(reverse("inference:chat")).context["form"].fields["model"].choices[0][0]
    settings.SANDBOX_FAULTS = "status=503"
    response = operator_client.post(reverse("inference:chat"), {"model": model, "message": "Keep this text", "history": ""})
    assert b"server error (503)" in response.content and b"Keep this text" in response.content


def _wav(seconds: float = 1.0) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * int(8000 * seconds))
    return buffer.getvalue()


def test_transcribe_an_uploaded_wav_with_segments(operator_client, demo):
    upload = SimpleUploadedFile("call.wav", _wav(2.0), content_type="audio/wav")
    response = operator_client.post(reverse("inference:transcribe"), {"file": upload, "model": "deepgram/nova-3", "segments": "on"})
    assert response.status_code == 200
    result = response.context["result"]
    assert result["text"] and result["segments"] and abs(result["duration"] - 2.0) < 0.1


def test_transcribe_needs_a_file_or_a_url_not_both(operator_client, demo):
    upload = SimpleUploadedFile("call.wav", _wav(), content_type="audio/wav")
    response = operator_client.post(reverse("inference:transcribe"), {"file": upload, "file_url": "https://example.com/a.wav", "model": "deepgram/nova-3"})
    assert b"either an audio file or a URL, not both" in response.content


def test_admin_starts_a_fine_tuning_job_and_watches_it_finish(team_admin_client, demo):
    form = team_admin_client.get(reverse("inference:job-add"))
    choices = [c[0] for c in form.context["form"].fields["model"].choices]
    assert choices, "the catalogue offers fine-tunable models"
    response = team_admin_client.post(reverse("inference:job-add"), {
        "model": choices[0], "training_file": "acme-support-kb", "n_epochs": 2,
        "idempotency_key": form.context["form"].initial["idempotency_key"]})
    assert response.status_code == 302
    job = FineTuningJob.objects.get()
    poll = team_admin_client.get(reverse("inference:job-detail", args=[job.telnyx_id]), headers={"HX-Request": "true"})
    assert poll.status_code == 286 and b"succeeded" in poll.content
    assert AuditEvent.objects.filter(resource_type="fine_tuning_job", action="create", outcome="success").exists()


def test_cancelling_a_finished_job_explains_why_not(team_admin_client, demo):
    form = team_admin_client.get(reverse("inference:job-add"))
    model = form.context["form"].fields["model"].choices[0][0]
    team_admin_client.post(reverse("inference:job-add"), {"model": model, "training_file": "acme-support-kb"})
    job = FineTuningJob.objects.get()
    response = team_admin_client.post(reverse("inference:job-cancel", args=[job.telnyx_id]), follow=True)
    assert b"Could not cancel the job" in response.content
    assert AuditEvent.objects.filter(action="cancel", outcome="failure").exists()


def test_viewer_cannot_chat_transcribe_or_fine_tune(viewer_client, demo):
    for name in ("inference:chat", "inference:transcribe", "inference:job-add"):
        assert viewer_client.get(reverse(name)).status_code == 403


def test_each_turn_says_its_tokens_and_latency_and_a_long_paste_is_refused_whole(operator_client, demo):
    page = operator_client.get(reverse("inference:chat"))
    box = re.search(r'<textarea[^>]*name="message"[^>]*>', page.content.decode()).group(0)
    assert 'data-limit="32000"' in box and "maxlength" not in box  # the browser never cuts a paste
    model = page.context["form"].fields["model"].choices[0][0]
    turn = operator_client.post(reverse("inference:chat"), {"model": model, "message": "Hello", "history": ""}).content.decode()
    stats = turn.split('data-testid="turn-stats"')[1].split("</p>")[0]
    assert "tokens in" in stats and " ms · " in stats
    long = "x" * 40_000
    refused = operator_client.post(reverse("inference:chat"), {"model": model, "message": long, "history": ""})
    assert "at most 32000 characters (it has 40000)" in refused.content.decode() and long in refused.content.decode()
