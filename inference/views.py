"""Inference pages: model catalogue, chat completions, transcription, fine-tuning jobs."""

from __future__ import annotations

import json
from typing import Iterator

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.changelist import ChangelistSpec, Column
from core.export import ExportColumn
from core.forms import add_telnyx_errors, form_page
from core.htmx import render_polled
from core.live import current_or_last_known
from core.sse import sse_event
from inference import selectors, services
from inference.forms import ChatForm, FineTuningForm, JobFilterForm, ModelFilterForm, TranscribeForm
from portal.request_limits import accepts_upload
from portal.roles import admin_required, operate_required, read_required
from portal.telnyx import TelnyxError

LIST_TEMPLATE = "inference/model_list.html"
COLUMNS = [Column("id", "Model", "telnyx_id"), Column("organization", "Organization", "organization"),
           Column("tier", "Tier", "tier"), Column("context", "Context", "context_length")]


MODEL_EXPORT = [ExportColumn("Model", "telnyx_id"), ExportColumn("Organization", "organization"),
                ExportColumn("Tier", "tier"), ExportColumn("Context length", "context_length"),
                ExportColumn("Recommended for assistants", "recommended_for_assistants")]


MODELS = ChangelistSpec(
    template=LIST_TEMPLATE, queryset=selectors.language_models, form_class=ModelFilterForm, columns=COLUMNS,
    default_sort="id", resource=services.MODELS_RESOURCE, remember_as="inference", list_url="inference:model-list",
    sync=services.models_sync,
    form_kwargs=lambda: {"organizations": selectors.model_organizations(), "tiers": selectors.model_tiers()},
    exports=MODEL_EXPORT,
)
model_list, model_refresh = MODELS.views(read_required)


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
    context = {"form": form, "history": [], "reply": None, "error": None}
    if request.method == "POST" and form.is_valid():
        turn, call = _turn(form)
        try:
            context = _after_reply(form, turn, services.chat_completion(user=request.user, **call))
        except TelnyxError as exc:
            context.update(history=turn[:-1], error=exc)  # the bound form keeps the message, ready to send again
    return render(request, "inference/chat.html#playground" if request.htmx else "inference/chat.html", context)


@require_POST
@operate_required
def chat_stream(request: HttpRequest) -> HttpResponse:
    """The same turn as server-sent events: the serving model, each fragment, then the
    playground as `chat` would render it. Errors before the reply render that page too."""
    form = ChatForm(request.POST, model_choices=services.form_model_choices())
    context = {"form": form, "history": [], "reply": None, "error": None}
    if not form.is_valid():
        return render(request, "inference/chat.html#playground", context)
    turn, call = _turn(form)
    try:
        events = services.chat_completion_stream(user=request.user, **call)
    except TelnyxError as exc:
        return render(request, "inference/chat.html#playground", {**context, "history": turn[:-1], "error": exc})
    response = StreamingHttpResponse(_sse(request, form, turn, events), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def _sse(request: HttpRequest, form: ChatForm, turn: list[dict], events) -> Iterator[bytes]:
    try:
        for kind, value in events:
            if kind == "done":
                html = render_to_string("inference/chat.html#playground", _after_reply(form, turn, value), request=request)
                yield sse_event("done", {"text": value["content"], "html": html})
            else:
                yield sse_event(kind, {"text": value})
    except TelnyxError as exc:
        yield sse_event("error", {"text": exc.user_message})


def _turn(form: ChatForm) -> tuple[list[dict], dict]:
    """The conversation with the new user message, and the arguments for the completion."""
    data = form.cleaned_data
    turn = [*data["history"], {"role": "user", "content": data["message"]}]
    system = [{"role": "system", "content": data["system"]}] if data["system"] else []
    return turn, {"model": data["model"], "messages": system + turn, "temperature": data["temperature"],
                  "max_tokens": data["max_tokens"]}


def _after_reply(form: ChatForm, turn: list[dict], reply: dict) -> dict:
    history = [*turn, {"role": "assistant", "content": reply["content"], "model": reply["model"]}]
    fresh = ChatForm(initial={**form.cleaned_data, "message": "", "history": json.dumps(history)},
                     model_choices=selectors.model_choices())
    return {"form": fresh, "history": history, "reply": reply, "error": None}


# --- Transcription ----------------------------------------------------------------------------
@accepts_upload
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
    list_url="inference:job-list", sync=services.fine_tuning_jobs_sync,
    form_kwargs=lambda: {"statuses": selectors.fine_tuning_job_statuses(),
                         "models": selectors.fine_tuning_job_models()},
    exports=[ExportColumn("Job id", "telnyx_id"), ExportColumn("Base model", "model"), ExportColumn("Status", "status"),
             ExportColumn("Training file", "training_file"), ExportColumn("Trained tokens", "trained_tokens"),
             ExportColumn("Started", "created_at"), ExportColumn("Finished", "finished_at")],
)


job_list, job_refresh = FINE_TUNING_JOBS.views(read_required)


@require_http_methods(["GET", "POST"])
@admin_required
def job_create(request: HttpRequest) -> HttpResponse:
    services.ensure_models_cached()
    services.ensure_training_files_cached()
    form = FineTuningForm(request.POST or None, model_choices=selectors.fine_tunable_model_choices(),
                          training_file_choices=selectors.training_file_choices())

    def create():
        data = form.cleaned_data
        return services.fine_tuning_job_create(
            user=request.user, model=data["model"], training_file=data["training_file"], n_epochs=data["n_epochs"],
            suffix=data["suffix"], idempotency_key=data["idempotency_key"])
    return form_page(request, form, "inference/job_form.html", {}, save=create,
                     message=lambda job: f"Fine-tuning of {job.model} started.",
                     then=lambda job: reverse("inference:job-detail", args=[job.telnyx_id]))


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
