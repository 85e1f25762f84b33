"""Audio transcriptions, chat completions and fine-tuning jobs through the official SDK."""

import io
import wave

import pytest
import telnyx

from sandbox.behaviour.embeddings import put_documents

pytestmark = pytest.mark.contract


def _wav(seconds: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(8000)
        wav.writeframes(b"\x80" * (8000 * seconds))
    return buffer.getvalue()


def test_transcribe_upload_and_url(sdk):
    verbose = sdk.ai.audio.transcribe(model="distil-whisper/distil-large-v2", file=("call.wav", _wav(4)),
                                      response_format="verbose_json", timestamp_granularities="segment")
    assert verbose.duration == 4.0 and verbose.segments[-1].end == 4.0
    assert verbose.text == " ".join(s.text for s in verbose.segments)
    plain = sdk.ai.audio.transcribe(model="openai/whisper-large-v3-turbo", file_url="https://example.com/a.mp3")
    assert plain.text and plain.segments is None
    with pytest.raises(telnyx.UnprocessableEntityError):
        sdk.ai.audio.transcribe(model="deepgram/nova-3", file=("a.ogg", b"OggS"))


def test_chat_completions_on_both_paths(sdk):
    messages = [{"role": "user", "content": "How do I restart my router?"}]
    current = sdk.ai.openai.chat.create_completion(messages=messages, model="openai/gpt-4o-mini")
    assert current["object"] == "chat.completion" and current["model"] == "openai/gpt-4o-mini"
    assert "router" in current["choices"][0]["message"]["content"]
    seed_path = sdk.post("/ai/chat/completions", body={"messages": messages, "model": "openai/gpt-4o-mini"},
                         cast_to=object)
    assert seed_path["choices"] == current["choices"]
    with pytest.raises(telnyx.UnprocessableEntityError):
        sdk.ai.openai.chat.create_completion(messages=[{"role": "robot", "content": "hi"}])


def test_fine_tuning_jobs(sdk, settings):
    put_documents("training", {"chats.jsonl": "user asks about refunds and the assistant explains " * 20})
    jobs = sdk.ai.fine_tuning.jobs
    done = jobs.create(model="meta-llama/Meta-Llama-3.1-8B-Instruct", training_file="training",
                       hyperparameters={"n_epochs": 2}, suffix="support")
    assert done.status == "succeeded" and done.trained_tokens and done.finished_at >= done.created_at
    assert jobs.retrieve(done.id).hyperparameters.n_epochs == 2
    with pytest.raises(telnyx.BadRequestError):
        jobs.cancel(done.id)

    settings.SANDBOX_ASYNC_SECONDS = 600
    running = jobs.create(model="meta-llama/Meta-Llama-3.1-8B-Instruct", training_file="training")
    assert running.status == "queued" and running.finished_at is None
    cancelled = jobs.cancel(running.id)
    assert cancelled.status == "cancelled" and cancelled.finished_at
    assert {j.id: j.status for j in jobs.list().data} == {done.id: "succeeded", running.id: "cancelled"}
    with pytest.raises(telnyx.NotFoundError):
        jobs.retrieve("ftjob-missing")
