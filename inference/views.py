"""Inference pages: the model catalogue."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from inference import selectors, services
from inference.forms import ModelFilterForm
from inference.models import LanguageModel
from portal.changelist import Column, build_changelist, refresh_from_request, remember_query
from portal.roles import read_required
from portal.sync import is_stale, sync_state

LIST_TEMPLATE = "inference/model_list.html"
COLUMNS = [
    Column("id", "Model", "telnyx_id"),
    Column("organization", "Organization", "organization"),
    Column("tier", "Tier", "tier"),
    Column("context", "Context", "context_length"),
]


def _changelist_context(request: HttpRequest) -> dict:
    changelist = build_changelist(
        request,
        LanguageModel.objects.all(),
        ModelFilterForm,
        COLUMNS,
        default_sort="id",
        filter_value_transforms={"recommended": lambda value: value == "1"},
        form_kwargs={"organizations": selectors.model_organizations(), "tiers": selectors.model_tiers()},
    )
    state = sync_state(services.MODELS_RESOURCE)
    return {"cl": changelist, "sync": state, "stale": is_stale(state)}


@require_GET
@read_required
def model_list(request: HttpRequest) -> HttpResponse:
    remember_query(request, "inference")
    template = f"{LIST_TEMPLATE}#table" if request.htmx else LIST_TEMPLATE
    return render(request, template, _changelist_context(request))


@require_POST
@read_required
def model_refresh(request: HttpRequest) -> HttpResponse:
    outcome = refresh_from_request(request, services.MODELS_RESOURCE, services.models_sync)
    return render(request, f"{LIST_TEMPLATE}#table", {**_changelist_context(request), "outcome": outcome})


@require_GET
@read_required
def model_detail(request: HttpRequest, model_id: str) -> HttpResponse:
    model = get_object_or_404(LanguageModel, telnyx_id=model_id)
    return render(request, "inference/model_detail.html", {"model": model, "data": model.payload})
