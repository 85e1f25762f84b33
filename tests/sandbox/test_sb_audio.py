"""Audio transcriptions: multipart uploads, validation, deterministic text, segments."""

import io
import wave

from django.core.files.uploadedfile import SimpleUploadedFile

URL = "/sandbox/v2/ai/audio/transcriptions"


def wav_bytes(seconds: float, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(rate)
        wav.writeframes(b"\x80" * int(seconds * rate))
    return buffer.getvalue()


def transcribe(api, **fields):
    return api.client.post(URL, data=fields, headers=api.headers)  # multipart by default


def test_upload_is_transcribed_deterministically(api):
    audio = wav_bytes(6)
    first = transcribe(api, model="distil-whisper/distil-large-v2", file=SimpleUploadedFile("call.wav", audio))
    assert first.status_code == 200, first.content
    again = transcribe(api, model="distil-whisper/distil-large-v2", file=SimpleUploadedFile("call.wav", audio))
    assert first.json() == again.json() and first.json()["text"]
    assert set(first.json()) == {"text"}  # plain json: text only
    other = transcribe(api, model="distil-whisper/distil-large-v2",
                       file=SimpleUploadedFile("call.wav", wav_bytes(6, rate=16000)))
    assert other.json()["text"] != first.json()["text"]


def test_verbose_json_returns_real_wav_duration_and_segments(api):
    response = transcribe(api, model="deepgram/nova-3", response_format="verbose_json",
                          **{"timestamp_granularities[]": "segment"},
                          file=SimpleUploadedFile("call.wav", wav_bytes(12)))
    body = response.json()
    assert body["duration"] == 12.0
    segments = body["segments"]
    assert segments[0]["start"] == 0 and segments[-1]["end"] == 12.0
    assert all(a["end"] == b["start"] for a, b in zip(segments, segments[1:]))
    assert body["text"] == " ".join(s["text"] for s in segments)


def test_text_only_models_ignore_verbose_json(api):
    response = transcribe(api, model="openai/whisper-large-v3-turbo", response_format="verbose_json",
                          file_url="https://example.com/audio/call.mp3")
    assert response.status_code == 200 and set(response.json()) == {"text"}


def test_file_and_file_url_are_exclusive_and_one_is_required(api):
    both = transcribe(api, model="deepgram/nova-3", file_url="https://example.com/a.mp3",
                      file=SimpleUploadedFile("a.mp3", b"ID3 fake mp3"))
    assert both.status_code == 422
    assert both.json()["errors"][0]["source"]["pointer"] == "/file_url"
    neither = transcribe(api, model="deepgram/nova-3")
    assert neither.status_code == 422 and neither.json()["errors"][0]["source"]["pointer"] == "/file"


def test_validation_of_model_format_and_options(api):
    response = transcribe(api, model="whisper-1", response_format="srt", file_url="https://example.com/a.mp3")
    assert {e["source"]["pointer"] for e in response.json()["errors"]} == {"/model", "/response_format"}
    ogg = transcribe(api, model="deepgram/nova-2", file=SimpleUploadedFile("a.ogg", b"OggS"))
    assert ogg.json()["errors"][0]["source"]["pointer"] == "/file"
    config = transcribe(api, model="nvidia/parakeet-v3", model_config='{"diarize": true}',
                        file_url="https://example.com/a.mp3")
    assert config.json()["errors"][0]["source"]["pointer"] == "/model_config"
    segments = transcribe(api, model="deepgram/nova-3", file_url="https://example.com/a.mp3",
                          **{"timestamp_granularities[]": "segment"})
    assert segments.json()["errors"][0]["source"]["pointer"] == "/timestamp_granularities[]"


def test_json_body_is_refused(api):
    response = api.post("/ai/audio/transcriptions", {"model": "deepgram/nova-3", "file_url": "https://x/a.mp3"})
    assert response.status_code == 422
