"""Inference: the model catalogue, chat completions, transcription and fine-tuning jobs.

Every Telnyx call goes through the resource layer; every write through `telnyx_write`.
"""

from __future__ import annotations

import itertools
import time
from datetime import datetime
from datetime import timezone as tz
from typing import Iterator

from django.contrib.auth.models import User

from core import audit
from core.cache import cache_put, text_fields
from core.sync import SyncOutcome, is_stale, replace_cache, run_sync, sync_state, wait_for_running_sync
from core.writes import telnyx_write
from knowledge.services import BUCKETS, buckets_sync
from portal.roles import ADMINISTER, OPERATE, READ, require_perm
from portal.telnyx import new_idempotency_key
from portal.telnyx.resources import audio as audio_api
from portal.telnyx.resources import chat_completions as chat_api
from portal.telnyx.resources import fine_tuning as fine_tuning_api
from portal.telnyx.resources import models as models_api

from .models import FineTuningJob, LanguageModel
from .selectors import model_choices

MODELS_RESOURCE = "models"
JOBS_RESOURCE = "fine_tuning_jobs"
JOB_TYPE = "fine_tuning_job"


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
    return run_sync(MODELS_RESOURCE, models_api.list_all,
                    lambda items: replace_cache(LanguageModel, items, _model_fields))


def ensure_models_cached() -> None:
    """Before a form offers models: sync the catalogue when it never synced or is stale.

    If another request is syncing it right now and nothing is cached, wait (bounded) for
    that sync rather than offer an empty list; if Telnyx cannot be reached, the cached
    catalogue (possibly empty) is used as it is.
    """
    if not is_stale(sync_state(MODELS_RESOURCE)):
        return
    outcome = models_sync()
    if not outcome.ran and not LanguageModel.objects.exists():
        wait_for_running_sync(MODELS_RESOURCE)


def form_model_choices() -> list[tuple[str, str]]:
    """The model select's choices for a form, the catalogue synced first if stale."""
    ensure_models_cached()
    return model_choices()


def ensure_training_files_cached() -> None:
    """Before the fine-tuning form offers training data: sync the buckets when stale."""
    if is_stale(sync_state(BUCKETS)):
        buckets_sync()


# --- Chat completions and transcription: reads that cost money, for Operators ------------
def _completion_body(model: str, messages: list[dict], temperature: float | None, max_tokens: int | None) -> dict:
    given = {"temperature": temperature, "max_tokens": max_tokens or None}  # a temperature of 0 is sent; no max_tokens is not
    return {"model": model, "messages": messages, **{k: v for k, v in given.items() if v is not None}}


def _reply(data: dict, model: str) -> dict:
    choice = (data.get("choices") or [{}])[0]
    return {
        "content": (choice.get("message") or {}).get("content") or "",
        "finish_reason": choice.get("finish_reason", ""),
        "usage": data.get("usage") or {},
        "model": data.get("model", model),
    }


def chat_completion(*, user: User, model: str, messages: list[dict], temperature: float | None = None,
                    max_tokens: int | None = None) -> dict:
    """One OpenAI-compatible completion; returns the assistant message and usage."""
    require_perm(user, OPERATE)
    started = time.monotonic()
    reply = _reply(chat_api.create(_completion_body(model, messages, temperature, max_tokens)), model)
    return {**reply, "latency_ms": round(1000 * (time.monotonic() - started))}


def chat_completion_stream(*, user: User, model: str, messages: list[dict], temperature: float | None = None,
                           max_tokens: int | None = None) -> Iterator[tuple[str, object]]:
    """The same completion streamed: ("model", id) with the first chunk, ("delta", text)…,
    then ("done", reply) with what `chat_completion` returns. The request is sent (and a
    Telnyx error raised) before this returns, so a caller can still answer with an error page."""
    require_perm(user, OPERATE)
    started = time.monotonic()
    chunks = chat_api.stream(_completion_body(model, messages, temperature, max_tokens))
    first = next(chunks, None)
    return _timed(_completion_events(model, first, chunks), started)


def _timed(events: Iterator[tuple[str, object]], started: float) -> Iterator[tuple[str, object]]:
    """The events, the final reply with how long the whole turn took (`latency_ms`)."""
    for kind, value in events:
        if kind == "done":
            value = {**value, "latency_ms": round(1000 * (time.monotonic() - started))}
        yield kind, value


def _completion_events(model: str, first: dict | None, rest: Iterator[dict]) -> Iterator[tuple[str, object]]:
    if first is None:
        yield "done", _reply({}, model)
        return
    if first.get("object") == "chat.completion":  # the server answered the whole completion
        reply = _reply(first, model)
        yield "model", reply["model"]
        yield "done", reply
        return
    served = first.get("model") or model
    yield "model", served
    parts, finish, usage = [], "", {}
    for chunk in itertools.chain([first], rest):
        choice = next((c for c in chunk.get("choices") or [] if c.get("index", 0) == 0), {})
        text = (choice.get("delta") or {}).get("content") or ""
        if text:
            parts.append(text)
            yield "delta", text
        finish = choice.get("finish_reason") or finish
        usage = chunk.get("usage") or usage
    yield "done", {"content": "".join(parts), "finish_reason": finish, "usage": usage, "model": served}


def transcribe(*, user: User, model: str, upload=None, file_url: str = "", language: str = "",
               segments: bool = False) -> dict:
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
    return audio_api.transcribe(fields, files=files)


# --- Fine-tuning jobs ---------------------------------------------------------------------
def _unix(value):
    return datetime.fromtimestamp(value, tz=tz.utc) if isinstance(value, (int, float)) else None


def job_fields(item: dict) -> dict:
    return {
        "telnyx_id": item["id"], **text_fields(FineTuningJob, item, "model", "training_file", "status"),
        "trained_tokens": item.get("trained_tokens"),
        "created_at": _unix(item.get("created_at")),
        "finished_at": _unix(item.get("finished_at")),
    }


def _job_put(item: dict) -> FineTuningJob:
    return cache_put(FineTuningJob, item, job_fields)


def fine_tuning_jobs_sync() -> SyncOutcome:
    return run_sync(JOBS_RESOURCE, fine_tuning_api.list_jobs,
                    lambda items: replace_cache(FineTuningJob, items, job_fields))


def fine_tuning_job_fetch(*, user: User, job_id: str) -> FineTuningJob:
    require_perm(user, READ)
    return _job_put(fine_tuning_api.retrieve(job_id))


def fine_tuning_job_create(*, user: User, model: str, training_file: str, n_epochs: int | None, suffix: str,
                           idempotency_key: str = "") -> FineTuningJob:
    """Start a fine-tuning job (it costs money: Admin only); cached and audited."""
    require_perm(user, ADMINISTER)
    body = {"model": model, "training_file": training_file}
    if n_epochs:
        body["hyperparameters"] = {"n_epochs": n_epochs}
    if suffix:
        body["suffix"] = suffix
    response = telnyx_write(
        lambda: fine_tuning_api.create(body, idempotency_key=idempotency_key or new_idempotency_key()),
        user=user, action="create", resource_type=JOB_TYPE, resource_id=lambda r: r.data.get("id", ""), label=model,
        summary=f"Started fine-tuning {model} on “{training_file}”", failure_summary=f"Tried to fine-tune {model}",
        changes=audit.diff(None, body), store=lambda r: _job_put(r.data),
    )
    return FineTuningJob.objects.get(telnyx_id=response.data["id"])


def fine_tuning_job_cancel(*, user: User, job_id: str) -> FineTuningJob:
    require_perm(user, ADMINISTER)
    cached = FineTuningJob.objects.filter(telnyx_id=job_id).first()
    label = cached.model if cached else ""
    telnyx_write(
        lambda: fine_tuning_api.cancel(job_id),
        user=user, action="cancel", resource_type=JOB_TYPE, resource_id=job_id, label=label,
        summary=f"Cancelled fine-tuning of {label or job_id}", failure_summary="Tried to cancel the fine-tuning job",
        store=lambda r: _job_put(r.data),
    )
    return FineTuningJob.objects.get(telnyx_id=job_id)
