"""Scheduled events of one assistant: list (status and channel filters), create, detail, cancel."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from assistants import selectors
from assistants.forms.scheduled import ScheduledEventFilterForm, ScheduledEventForm
from assistants.services import scheduled as services
from core.background import page_sync
from core.changelist import ChangelistSpec, Column
from core.forms import written
from core.types import HtmxHttpRequest
from portal.roles import admin_required, read_required
from portal.telnyx import TelnyxError

SCHEDULED_EVENTS = ChangelistSpec(
    template="assistants/scheduled_list.html", queryset=selectors.scheduled_queryset, form_class=ScheduledEventFilterForm,
    columns=[Column("when", "When", "scheduled_at"), Column("channel", "Channel", "channel"),
             Column("to", "From → to", "end_user_target"), Column("status", "Status", "status")],
    default_sort="when",
)


@require_GET
@read_required
def scheduled_list(request: HtmxHttpRequest, assistant_id: str) -> HttpResponse:
    # The cached events at once; a stale cache is synced on the worker (the page shows it).
    listing = page_sync(services.scheduled_resource(assistant_id))
    return SCHEDULED_EVENTS.page(request, {**listing, "assistant_id": assistant_id,
                                           "assistant_name": selectors.assistant_name(assistant_id)}, assistant_id)


@require_http_methods(["GET", "POST"])
@admin_required
def scheduled_create(request: HttpRequest, assistant_id: str) -> HttpResponse:
    form = ScheduledEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (created := written(form, lambda: services.scheduled_event_create(
            user=request.user, assistant_id=assistant_id, body=form.to_body(),
            idempotency_key=form.cleaned_data["idempotency_key"]),
            field_map={"scheduled_at_fixed_datetime": "scheduled_at"}, renew_key=True)) is not None:
        messages.success(request, "Scheduled the event.")
        if created.get("scheduled_event_id"):
            return redirect("assistants:scheduled-detail", assistant_id=assistant_id, event_id=created["scheduled_event_id"])
        return redirect("assistants:scheduled-list", assistant_id=assistant_id)
    return render(request, "assistants/scheduled_form.html",
                  {"assistant_id": assistant_id, "assistant_name": selectors.assistant_name(assistant_id), "form": form})


@require_GET
@read_required
def scheduled_detail(request: HttpRequest, assistant_id: str, event_id: str) -> HttpResponse:
    result = services.scheduled_event(user=request.user, assistant_id=assistant_id, event_id=event_id)
    return render(request, "assistants/scheduled_detail.html",
                  {"assistant_id": assistant_id, "assistant_name": selectors.assistant_name(assistant_id),
                   "event": result.data, "result": result, "status": services.shown_status(result.data)})


@require_http_methods(["GET", "POST"])
@admin_required
def scheduled_cancel(request: HttpRequest, assistant_id: str, event_id: str) -> HttpResponse:
    """A confirmation page first (GET), like every delete; the POST cancels in Telnyx."""
    if request.method == "GET":
        event = services.scheduled_event(user=request.user, assistant_id=assistant_id, event_id=event_id).data
        return render(request, "assistants/scheduled_confirm_cancel.html",
                      {"assistant_id": assistant_id, "assistant_name": selectors.assistant_name(assistant_id), "event": event})
    try:
        services.scheduled_event_cancel(user=request.user, assistant_id=assistant_id, event_id=event_id)
    except TelnyxError as exc:
        messages.error(request, f"Could not cancel the event. {exc.user_message}")
        return redirect("assistants:scheduled-detail", assistant_id=assistant_id, event_id=event_id)
    messages.success(request, "Cancelled the scheduled event.")
    return redirect("assistants:scheduled-list", assistant_id=assistant_id)
