"""A suite's schedules (add, edit, pause/resume, delete) and its alert rule, from the suite page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from portal.roles import operate_required
from testing import selectors
from testing.forms.suites import AlertForm, ScheduleForm
from testing.models import SuiteSchedule
from testing.services import alerts as alert_services
from testing.services import schedules as services
from testing.services.suites import destination_versions
from testing.views.suites import render_suite_detail, suite_tab_url, unknown_suite

STALE = "Someone else changed this schedule since you opened it. Their version is shown below; make your change again."


def _destinations(request: HttpRequest, suite_name: str) -> list[selectors.Destination]:
    destinations, _ = destination_versions(user=request.user, suite_name=suite_name)
    return destinations


def _data(form: ScheduleForm) -> dict:
    return {**form.cleaned_data, "versions": form.versions()}


def _back(suite_name: str) -> HttpResponse:
    return redirect(suite_tab_url(suite_name, "schedules"))


@require_POST
@operate_required
def schedule_create(request: HttpRequest, suite_name: str) -> HttpResponse:
    if refused := unknown_suite(request, suite_name, undone="no schedule was saved"):
        return refused
    form = ScheduleForm(request.POST, destinations=_destinations(request, suite_name))
    if not form.is_valid():
        return render_suite_detail(request, suite_name, schedule_form=form, tab="schedules", status=400)
    schedule = services.schedule_create(user=request.user, suite_name=suite_name, data=_data(form))
    messages.success(request, f"Scheduled: {schedule.when}.")
    return _back(suite_name)


@require_http_methods(["GET", "POST"])
@operate_required
def schedule_edit(request: HttpRequest, schedule_id: int) -> HttpResponse:
    schedule = get_object_or_404(SuiteSchedule, pk=schedule_id)
    destinations = _destinations(request, schedule.suite)
    current = {"kind": schedule.kind, "cron": schedule.cron, "every_minutes": schedule.every_minutes,
               "updated": schedule.updated_at.isoformat()}

    def unbound() -> ScheduleForm:
        form = ScheduleForm(initial=current, destinations=destinations)
        form.initial_versions(schedule.versions)
        return form

    form = ScheduleForm(request.POST, destinations=destinations) if request.method == "POST" else unbound()
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["updated"] != current["updated"]:
            messages.error(request, STALE)
            form = unbound()
        else:
            services.schedule_update(user=request.user, schedule=schedule, data=_data(form))
            messages.success(request, f"Schedule saved: {schedule.when}.")
            return _back(schedule.suite)
    return render(request, "testing/schedule_form.html", {"schedule": schedule, "form": form},
                  status=400 if form.is_bound and form.errors else 200)


@require_POST
@operate_required
def schedule_toggle(request: HttpRequest, schedule_id: int) -> HttpResponse:
    schedule = get_object_or_404(SuiteSchedule, pk=schedule_id)
    services.schedule_set_enabled(user=request.user, schedule=schedule, enabled=not schedule.enabled)
    messages.success(request, f"Schedule {'resumed' if schedule.enabled else 'paused'}: {schedule.when}.")
    return _back(schedule.suite)


@require_POST
@operate_required
def schedule_delete(request: HttpRequest, schedule_id: int) -> HttpResponse:
    schedule = get_object_or_404(SuiteSchedule, pk=schedule_id)
    services.schedule_delete(user=request.user, schedule=schedule)
    messages.success(request, f"Schedule deleted: {schedule.when}.")
    return _back(schedule.suite)


@require_POST
@operate_required
def alert_save(request: HttpRequest, suite_name: str) -> HttpResponse:
    if refused := unknown_suite(request, suite_name, undone="the alerts were not saved"):
        return refused
    form = AlertForm(request.POST, webhook_choices=alert_services.webhook_choices())
    if not form.is_valid():
        return render_suite_detail(request, suite_name, alert_form=form, tab="alerts", status=400)
    alert_services.alert_save(user=request.user, suite_name=suite_name, data=form.cleaned_data)
    messages.success(request, "Alerts saved.")
    return redirect(suite_tab_url(suite_name, "alerts"))
