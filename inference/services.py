"""Inference: the model catalogue, chat completions, transcription and fine-tuning jobs."""

from __future__ import annotations

from datetime import datetime, timezone as tz

from django.db import transaction
from django.utils import timezone

from core import audit
from portal.roles import ADMINISTER, OPERATE, READ, require_perm
from core.sync import SyncOutcome, replace_cache, run_sync
from portal.telnyx import TelnyxError, get_client, new_idempotency_key

from .models import FineTuningJob, LanguageModel

MODELS_RESOURCE = "models"
# The current path; the seeds' `/ai/models` is older (the sandbox serves both).
MODELS_PATH = "ai/openai/models"


def _model_fields(item: dict) -> dict:
    return {
        "telnyx_id": item["id"],
        "organization": str(item.get("organization") or item.get("owned_by") or "")[:100],
        "tier": str(item.get("tier") or "")[:20],
        "context_length": item.get("context_length") if isinstance(item.get("context_length"), int) else None,
        "recommended_for_assistants": bool(item.get("recommended_for_assistants")),
    }


def models_sync() -> SyncOutcome:
    """Replace the cached model catalogue with Telnyx's."""

    def fetch() -> list[dict]:
        return (get_client().get(MODELS_PATH).data or {}).get("data") or []

    return run_sync(MODELS_RESOURCE, fetch, lambda items: replace_cache(LanguageModel, items, _model_fields))


# --- Chat completions and transcription: reads that cost money, for Operators ------------
CHAT_PATH = "ai/openai/chat/completions"
TRANSCRIBE_PATH = "ai/audio/transcriptions"
JOBS_RESOURCE = "fine_tuning_jobs"


def chat_completion(*, user, model: str, messages: list[dict], temperature: float | None = None,
                    max_tokens: int | None = None) -> dict:
    """One OpenAI-compatible completion; returns the assistant message and usage."""
    require_perm(user, OPERATE)
    body = {"model": model, "messages": messages}
    if temperature is not None:
        body["temperature"] = temperature
    if max_tokens:
        body["max_tokens"] = max_tokens
    data = get_client().post(CHAT_PATH, json=body).data or {}
    choice = (data.get("choices") or [{}])[0]
    return {
        "content": (choice.get("message") or {}).get("content") or "",
        "finish_reason": choice.get("finish_reason", ""),
        "usage": data.get("usage") or {},
        "model": data.get("model", model),
    }


def transcribe(*, user, model: str, upload=None, file_url: str = "", language: str = "", segments: bool = False) -> dict:
    """Transcribe an uploaded file or a URL (multipart, as the API requires)."""
    require_perm(user, OPERATE)
    fields = {"model": model}
    if file_url:
        fields["file_url"] = file_url
    if language:
        fields["language"] = language
    if segments:
        fields["response_format"] = "verbose_json"
        fields["timestamp_granularities[]"] = "segment"
    files = {"file": (upload.name, upload.read(), upload.content_type or "application/octet-stream")} if upload else None
    return get_client().request("POST", TRANSCRIBE_PATH, data=fields, files=files).data or {}


# --- Fine-tuning jobs ---------------------------------------------------------------------
def _unix(value):
    return datetime.fromtimestamp(value, tz=tz.utc) if isinstance(value, (int, float)) else None


def job_fields(item: dict) -> dict:
    return {
        "telnyx_id": item["id"],
        "model": str(item.get("model") or "")[:200],
        "training_file": str(item.get("training_file") or "")[:300],
        "status": str(item.get("status") or "")[:20],
        "trained_tokens": item.get("trained_tokens"),
        "created_at": _unix(item.get("created_at")),
        "finished_at": _unix(item.get("finished_at")),
    }


def fine_tuning_jobs_sync() -> SyncOutcome:
    def fetch() -> list[dict]:
        return (get_client().get("ai/fine_tuning/jobs").data or {}).get("data") or []

    return run_sync(JOBS_RESOURCE, fetch, lambda items: replace_cache(FineTuningJob, items, job_fields))


def _job_put(item: dict):
    row, _ = FineTuningJob.objects.update_or_create(
        telnyx_id=item["id"], defaults={**job_fields(item), "payload": item, "synced_at": timezone.now()}
    )
    return row


def fine_tuning_job_fetch(*, user, job_id: str):
    require_perm(user, READ)
    return _job_put(get_client().get(f"ai/fine_tuning/jobs/{job_id}").data)


def fine_tuning_job_create(*, user, model: str, training_file: str, n_epochs: int | None, suffix: str,
                           idempotency_key: str = ""):
    """Start a fine-tuning job (it costs money: Admin only); cached and audited."""
    require_perm(user, ADMINISTER)
    body = {"model": model, "training_file": training_file}
    if n_epochs:
        body["hyperparameters"] = {"n_epochs": n_epochs}
    if suffix:
        body["suffix"] = suffix
    try:
        response = get_client().post("ai/fine_tuning/jobs", json=body, idempotency_key=idempotency_key or new_idempotency_key())
    except TelnyxError as exc:
        audit.record(user=user, action="create", resource_type="fine_tuning_job", resource_label=model,
                     summary=f"Tried to fine-tune {model}", changes=audit.diff(None, body), error=exc)
        raise
    with transaction.atomic():
        job = _job_put(response.data)
        audit.record(user=user, action="create", resource_type="fine_tuning_job", resource_id=job.telnyx_id,
                     resource_label=model, summary=f"Started fine-tuning {model} on “{training_file}”",
                     changes=audit.diff(None, body), response=response)
    return job


def fine_tuning_job_cancel(*, user, job_id: str):
    require_perm(user, ADMINISTER)
    try:
        response = get_client().post(f"ai/fine_tuning/jobs/{job_id}/cancel")
    except TelnyxError as exc:
        audit.record(user=user, action="cancel", resource_type="fine_tuning_job", resource_id=job_id,
                     summary="Tried to cancel the fine-tuning job", error=exc)
        raise
    with transaction.atomic():
        job = _job_put(response.data)
        audit.record(user=user, action="cancel", resource_type="fine_tuning_job", resource_id=job_id,
                     resource_label=job.model, summary=f"Cancelled fine-tuning of {job.model}", response=response)
    return job
