"""Inference pages: model catalogue, chat completions, transcription, fine-tuning jobs."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inference import selectors, services
from inference.forms import ChatForm, FineTuningForm, JobFilterForm, ModelFilterForm, TranscribeForm
from core.changelist import ChangelistSpec, Column, refresh_from_request, render_changelist
from core.forms import add_telnyx_errors
from core.htmx import render_polled
from core.live import current_or_last_known
from portal.roles import admin_required, operate_required, read_required
from portal.telnyx import TelnyxError

LIST_TEMPLATE = "inference/model_list.html"
COLUMNS = [
    Column("id", "Model", "telnyx_id"),
    Column("organization", "Organization", "organization"),
    Column("tier", "Tier", "tier"),
    Column("context", "Context", "context_length"),
]


@require_GET
@read_required
def model_list(request: HttpRequest) -> HttpResponse:
    return _models(request)


def _models(request: HttpRequest, outcome=None) -> HttpResponse:
    return render_changelist(
        request, template=LIST_TEMPLATE, queryset=selectors.language_models(), form_class=ModelFilterForm,
        columns=COLUMNS, default_sort="id", resource=services.MODELS_RESOURCE, remember_as="inference",
        form_kwargs=lambda: {"organizations": selectors.model_organizations(), "tiers": selectors.model_tiers()},
        outcome=outcome,
    )


@require_POST
@read_required
def model_refresh(request: HttpRequest) -> HttpResponse:
    return _models(request, refresh_from_request(request, services.MODELS_RESOURCE, services.models_sync))


@require_GET
@read_required
def model_detail(request: HttpRequest, model_id: str) -> HttpResponse:
    model = selectors.language_model(model_id)
    if model is None:
        raise Http404("No such model in the cached catalogue.")
    return render(request, "inference/model_detail.html", {"model": model, "data": model.payload})


# --- Chat completions playground ------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@operate_required
def chat(request: HttpRequest) -> HttpResponse:
    """A stateless multi-turn playground: the page carries the conversation so far."""
    form = ChatForm(request.POST or None, model_choices=services.form_model_choices())
    history, reply, error = [], None, None
    if request.method == "POST" and form.is_valid():
        history = form.cleaned_data["history"]
        turn = [*history, {"role": "user", "content": form.cleaned_data["message"]}]
        system = form.cleaned_data["system"]
        try:
            reply = services.chat_completion(
                user=request.user, model=form.cleaned_data["model"],
                messages=([{"role": "system", "content": system}] if system else []) + turn,
                temperature=form.cleaned_data["temperature"], max_tokens=form.cleaned_data["max_tokens"],
            )
        except TelnyxError as exc:
            error = exc  # the bound form keeps the message, ready to send again
        else:
            history = [*turn, {"role": "assistant", "content": reply["content"], "model": reply["model"]}]
            form = ChatForm(
                initial={**form.cleaned_data, "message": "", "history": json.dumps(history)},
                model_choices=selectors.model_choices(),
            )
    context = {"form": form, "history": history, "reply": reply, "error": error}
    return render(request, "inference/chat.html#playground" if request.htmx else "inference/chat.html", context)


# --- Transcription ----------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@operate_required
def transcribe(request: HttpRequest) -> HttpResponse:
    form = TranscribeForm(request.POST or None, request.FILES or None)
    result, error = None, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.transcribe(user=request.user, model=data["model"], upload=data["file"],
                                         file_url=data["file_url"], language=data["language"], segments=data["segments"])
        except TelnyxError as exc:
            add_telnyx_errors(form, exc, field_map={"file_url": "file_url"})
            error = exc
    return render(request, "inference/transcribe.html", {"form": form, "result": result, "error": error})


# --- Fine-tuning jobs ---------------------------------------------------------------------------
JOB_COLUMNS = [Column("created", "Started", "created_at"), Column("model", "Base model", "model"),
               Column("status", "Status", "status")]


FINE_TUNING_JOBS = ChangelistSpec(
    template="inference/job_list.html", queryset=selectors.fine_tuning_jobs, form_class=JobFilterForm,
    columns=JOB_COLUMNS, default_sort="-created", resource=services.JOBS_RESOURCE, remember_as="inference-jobs",
    list_url="inference:jobs", sync=services.fine_tuning_jobs_sync,
    form_kwargs=lambda: {"statuses": selectors.fine_tuning_job_statuses(),
                         "models": selectors.fine_tuning_job_models()},
)


@require_GET
@read_required
def job_list(request: HttpRequest) -> HttpResponse:
    return FINE_TUNING_JOBS.render(request)


@require_POST
@read_required
def job_refresh(request: HttpRequest) -> HttpResponse:
    return FINE_TUNING_JOBS.refresh(request)


@require_http_methods(["GET", "POST"])
@admin_required
def job_create(request: HttpRequest) -> HttpResponse:
    services.ensure_models_cached()
    services.ensure_training_files_cached()
    form = FineTuningForm(request.POST or None, model_choices=selectors.fine_tunable_model_choices(),
                          training_file_choices=selectors.training_file_choices())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = services.fine_tuning_job_create(user=request.user, model=data["model"], training_file=data["training_file"],
                                                  n_epochs=data["n_epochs"], suffix=data["suffix"],
                                                  idempotency_key=data["idempotency_key"])
        except TelnyxError as exc:
            add_telnyx_errors(form, exc)
        else:
            messages.success(request, f"Fine-tuning of {job.model} started.")
            return redirect("inference:job-detail", job_id=job.telnyx_id)
    return render(request, "inference/job_form.html", {"form": form})


@require_GET
@read_required
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job, error = current_or_last_known(
        lambda: services.fine_tuning_job_fetch(user=request.user, job_id=job_id),
        lambda: selectors.fine_tuning_job(job_id),
    )
    return render_polled(request, "inference/job_detail.html", {"job": job, "error": error}, final=job.is_final)


@require_POST
@admin_required
def job_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    try:
        services.fine_tuning_job_cancel(user=request.user, job_id=job_id)
    except TelnyxError as exc:
        messages.error(request, f"Could not cancel the job. {exc.user_message}")
    else:
        messages.success(request, "The fine-tuning job was cancelled.")
    return redirect("inference:job-detail", job_id=job_id)
