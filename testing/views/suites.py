"""Suites: overview, one suite's history and trend, Run suite, and the live page of a suite run."""

from __future__ import annotations

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from core.changelist import Column, build_changelist, refresh_from_request
from portal.roles import OPERATE, operate_required, read_required
from core.sync import is_stale, sync_state
from portal.telnyx import TelnyxError

from testing import selectors
from testing.forms import AlertForm, ScheduleForm, SuiteHistoryFilterForm, SuiteRunForm
from testing.models import SuiteRun, TestRun
from testing.services import alerts as alert_services
from testing.services import schedules as schedule_services
from testing.services import suites as services

HISTORY_COLUMNS = [
    Column("started", "Started", "started_at"),
    Column("status", "Result", "status"),
    Column("version", "Version", "version_id"),
]


@require_GET
@read_required
def suite_list(request: HttpRequest) -> HttpResponse:
    state = sync_state(services.RESOURCE)
    template = "testing/suite_list.html#table" if request.htmx else "testing/suite_list.html"
    return render(request, template, {"suites": selectors.suites_overview(), "sync": state, "stale": is_stale(state)})


@require_POST
@read_required
def suite_refresh(request: HttpRequest) -> HttpResponse:
    outcome = refresh_from_request(request, services.RESOURCE, services.suites_page_sync)
    if not request.htmx:
        if outcome and outcome.error:
            messages.error(request, f"Refresh failed; showing the cached list. {outcome.error.user_message}")
        return redirect("testing:suite-list")
    state = sync_state(services.RESOURCE)
    return render(request, "testing/suite_list.html#table",
                  {"suites": selectors.suites_overview(), "sync": state, "stale": False, "outcome": outcome})


def _suite_context(request: HttpRequest, suite_name: str, run_form: SuiteRunForm | None = None,
                   schedule_form: ScheduleForm | None = None, alert_form: AlertForm | None = None) -> dict:
    destination = selectors.suite_destination(suite_name)
    can_run = request.user.has_perm(OPERATE)
    # Only Operators see the Run suite form, so only they pay for the versions call.
    choices, versions_error = (
        services.assistant_version_choices(user=request.user, assistant_id=destination) if can_run else ([], "")
    )
    history = build_changelist(
        request, selectors.suite_runs(suite_name), SuiteHistoryFilterForm, HISTORY_COLUMNS, default_sort="-started",
        page_size=20, filter_value_transforms={"version": lambda v: "" if v == selectors.MAIN else v},
        form_kwargs={"version_choices": selectors.version_filter_choices(suite_name)},
    )
    alert = alert_services.alert_for(suite_name)
    return {
        "suite": suite_name, "destination": destination, "assistant_names": selectors.assistant_names(),
        "tests": selectors.suite_tests(suite_name), "cl": history, "by_version": selectors.pass_rate_by_version(suite_name),
        "trend": selectors.pass_rate_trend(suite_name), "versions_error": versions_error,
        "recent_runs": selectors.suite_test_runs(suite_name)[:10], "test_names": selectors.test_names(),
        "run_form": run_form or (SuiteRunForm(version_choices=choices) if can_run else None),
        "schedules": [{"schedule": s, "next_run": schedule_services.next_run_at(s), "last": s.firings.first()}
                      for s in selectors.suite_schedules(suite_name)],
        "schedule_form": schedule_form or (ScheduleForm(version_choices=choices) if can_run else None),
        "alert": alert, "deliveries": selectors.alert_deliveries(suite_name),
        "alert_form": alert_form or (AlertForm(initial=model_to_dict(alert), webhook_choices=alert_services.webhook_choices())
                                     if can_run else None),
    }


def render_suite_detail(request: HttpRequest, suite_name: str, *, status: int = 200, **forms) -> HttpResponse:
    """The suite page with a form that did not validate (its field errors and values kept)."""
    return render(request, "testing/suite_detail.html", _suite_context(request, suite_name, **forms), status=status)


@require_GET
@read_required
def suite_detail(request: HttpRequest, suite_name: str) -> HttpResponse:
    if not request.htmx:
        # Pick up runs started elsewhere (API, schedules); a failure keeps the cached history.
        outcome = services.suite_history_sync(suite_name=suite_name)
        if outcome.error:
            messages.warning(request, f"Could not refresh the run history; showing the cached one. {outcome.error.user_message}")
    template = "testing/suite_detail.html#history" if request.htmx else "testing/suite_detail.html"
    return render(request, template, _suite_context(request, suite_name))


@require_POST
@operate_required
def suite_run_trigger(request: HttpRequest, suite_name: str) -> HttpResponse:
    """Run suite. On failure the form comes back with the same key, so a retry cannot start a twin batch."""
    choices, _ = services.assistant_version_choices(user=request.user, assistant_id=selectors.suite_destination(suite_name))
    form = SuiteRunForm(request.POST, version_choices=choices)
    if form.is_valid():
        try:
            suite_run = services.suite_run_trigger(
                user=request.user, suite_name=suite_name, version_id=form.cleaned_data["version"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except TelnyxError as exc:
            messages.error(request, f"The suite did not start. {exc.user_message} Press Run suite again to retry.")
        else:
            return redirect("testing:suite-run", suite_name=suite_name, batch_id=suite_run.batch_id)
    return render(request, "testing/suite_detail.html", _suite_context(request, suite_name, run_form=form))


def _live_context(suite_run: SuiteRun, error: TelnyxError | None = None) -> dict:
    runs = {r.telnyx_id: r for r in TestRun.objects.filter(telnyx_id__in=suite_run.run_ids)}
    tests = {t.telnyx_id: t for t in selectors.suite_tests(suite_run.suite)}
    rows = [{"run": runs.get(rid), "run_id": rid, "test": tests.get(getattr(runs.get(rid), "test_id", ""))}
            for rid in suite_run.run_ids]
    return {"suite_run": suite_run, "rows": rows, "error": error}


@require_GET
@read_required
def suite_run_live(request: HttpRequest, suite_name: str, batch_id: str) -> HttpResponse:
    suite_run = get_object_or_404(SuiteRun, suite=suite_name, batch_id=batch_id)
    return render(request, "testing/suite_run.html", _live_context(suite_run))


@require_GET
@read_required
def suite_run_status(request: HttpRequest, suite_name: str, batch_id: str) -> HttpResponse:
    """The polled fragment: refresh unfinished runs from Telnyx; 286 stops polling once all are final."""
    suite_run = SuiteRun.objects.filter(suite=suite_name, batch_id=batch_id).first()
    if suite_run is None:
        raise Http404("No such suite run.")
    error = services.suite_run_refresh(suite_run)
    response = render(request, "testing/suite_run.html#status", _live_context(suite_run, error))
    return HttpResponseStopPolling(response.content) if suite_run.is_final else response
