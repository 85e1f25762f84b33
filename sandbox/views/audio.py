"""POST /ai/audio/transcriptions (multipart/form-data), OpenAI-compatible."""

import json

from sandbox.api import ApiError, error_object, ok
from sandbox.behaviour import transcripts

MODELS = ("distil-whisper/distil-large-v2", "openai/whisper-large-v3-turbo", "deepgram/nova-2",
          "deepgram/nova-2-medical", "deepgram/nova-3", "deepgram/nova-3-medical", "nvidia/parakeet-v3",
          "omi-health/omi-med-stt-v1", "reson8/prerecorded")
# Models that add duration and segments in verbose_json mode (the others return text only).
VERBOSE_MODELS = ("distil-whisper/distil-large-v2", "deepgram/", "reson8/prerecorded")
CONFIGURABLE_MODELS = ("deepgram/", "reson8/prerecorded")
MAX_BYTES = 100 * 1024 * 1024


def _validate(form, upload) -> list[dict]:
    errors = []
    model = form.get("model")
    if not model:
        errors.append(error_object(422, "The 'model' field is required.", pointer="/model"))
    elif model not in MODELS:
        errors.append(error_object(422, f"Must be one of: {', '.join(MODELS)}.", pointer="/model"))
    if upload is None and not form.get("file_url"):
        errors.append(error_object(422, "Send either 'file' or 'file_url'.", pointer="/file"))
    if upload is not None and form.get("file_url"):
        errors.append(error_object(422, "Send 'file' or 'file_url', not both.", pointer="/file_url"))
    if form.get("response_format", "json") not in ("json", "verbose_json"):
        errors.append(error_object(422, "Must be one of: json, verbose_json.", pointer="/response_format"))
    granularity = form.get("timestamp_granularities[]")
    if granularity is not None:
        if granularity != "segment":
            errors.append(error_object(422, "Must be one of: segment.", pointer="/timestamp_granularities[]"))
        elif form.get("response_format") != "verbose_json":
            errors.append(error_object(422, "Segment timestamps need response_format=verbose_json.",
                                       pointer="/timestamp_granularities[]"))
    if upload is not None:
        if upload.size > MAX_BYTES:
            errors.append(error_object(422, "Files are limited to 100 MB.", pointer="/file"))
        if model and model.startswith("deepgram/") and not upload.name.lower().endswith((".mp3", ".wav")):
            errors.append(error_object(422, "deepgram models accept only mp3 or wav files.", pointer="/file"))
    if form.get("model_config") is not None:
        if not (model or "").startswith(CONFIGURABLE_MODELS):
            errors.append(error_object(422, "model_config is only allowed with deepgram/* and reson8/prerecorded.",
                                       pointer="/model_config"))
        else:
            try:
                valid = isinstance(json.loads(form["model_config"]), dict)
            except ValueError:
                valid = False
            if not valid:
                errors.append(error_object(422, "Must be a JSON object.", pointer="/model_config"))
    return errors


def transcribe(request):
    if request.content_type != "multipart/form-data":
        raise ApiError(422, "Send the request as multipart/form-data.", pointer="/")
    form, upload = request.POST, request.FILES.get("file")
    errors = _validate(form, upload)
    if errors:
        raise ApiError(422, errors=errors)
    if upload is not None:
        data = upload.read()
        duration, fingerprint = transcripts.audio_duration(data), data
    else:
        # No network: the URL stands in for the audio; its length comes from the URL's bytes.
        fingerprint = form["file_url"].encode()
        duration = 5.0 + sum(fingerprint) % 60
    segments = transcripts.transcribe(fingerprint, duration)
    answer = {"text": " ".join(s["text"] for s in segments)}
    model = form["model"]
    if form.get("response_format") == "verbose_json" and model.startswith(VERBOSE_MODELS):
        answer.update(duration=duration, segments=segments)
    return ok(answer)
