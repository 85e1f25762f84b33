"""Suites: overview, one suite's history and trend, Run suite, and the live page of a suite run."""

from __future__ import annotations

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from core import waiting
from core.background import eager, page_syncs
from core.changelist import ChangelistSpec, Column, refresh_from_request, select
from core.export import Export, ExportColumn, export_response, wants_export
from core.sync import is_stale, sync_state
from portal.roles import OPERATE, operate_required, read_required
from portal.telnyx import TelnyxError
from testing import selectors
from testing.evidence import batch_evidence
from testing.forms.suites import AlertForm, ScheduleForm, SuiteHistoryFilterForm, SuiteRunForm, SuiteSearchForm
from testing.models import SuiteRun
from testing.services import alerts as alert_services
from testing.services import schedules as schedule_services
from testing.services import suites as services
from testing.tasks import follow_started

#: The suite page lists this many of its tests; the tests list (filtered by suite) has them all.
SUITE_TESTS_SHOWN = 50

#: The suites overview: the suite names (cached tests and Telnyx's suites), searched and paged,
#: each page's suites then summarised in a fixed number of queries.
SUITES = ChangelistSpec(
    template="testing/suite_list.html", queryset=lambda: [{"name": name} for name in selectors.suite_names()],
    form_class=SuiteSearchForm, columns=[Column("name", "Suite", "name")], default_sort="name",
)

#: One suite's run history, under its trend on the suite page.
SUITE_HISTORY = ChangelistSpec(
    template="testing/suite_detail.html", queryset=selectors.suite_runs, form_class=SuiteHistoryFilterForm,
    columns=[Column("started", "Started", "started_at"), Column("status", "Result", "status"),
             Column("version", "Version", "version_id")],
    default_sort="-started", page_size=20,
    form_kwargs=lambda suite_name: {"version_choices": selectors.version_filter_choices(suite_name)},
    filter_value_transforms={"version": lambda v: "" if v == selectors.MAIN else v},
)


def _criteria(payload) -> str:
    return "; ".join(f"{r.get('name', '')}: {r.get('status', '')}" for r in (payload or {}).get("detail_status") or [])


def _criteria_count(payload, status: str | None = None) -> int:
    return sum(1 for r in (payload or {}).get("detail_status") or [] if status is None or r.get("status") == status)


TEST_RUNS_EXPORT = Export(name="test-runs", columns=[
    ExportColumn("Suite run", "suite_run_id"), ExportColumn("Suite run started", "batch_started"),
    ExportColumn("Version", "batch_version", lambda v: v or "main"), ExportColumn("Test id", "test_id"),
    ExportColumn("Test", "test_name"), ExportColumn("Run id", "telnyx_id"), ExportColumn("Status", "status"),
    ExportColumn("Started", "created_at"), ExportColumn("Completed", "completed_at"),
    ExportColumn("Criteria passed", "payload", lambda p: _criteria_count(p, "passed")),
    ExportColumn("Criteria judged", "payload", lambda p: _criteria_count(p)),
    ExportColumn("Per-criterion results", "payload", _criteria),
])


def _suite_list_context(request: HttpRequest) -> dict:
    """One page of suites (searchable by name), each summarised in a fixed number of queries."""
    cl = SUITES.changelist(request)
    state = sync_state(services.RESOURCE)
    return {"suites": selectors.suites_overview([row["name"] for row in cl.page.object_list]), "cl": cl,
            "sync": state, "stale": is_stale(state)}


@require_GET
@read_required
def suite_list(request: HttpRequest) -> HttpResponse:
    context = _suite_list_context(request)
    return SUITES.page(request, context, cl=context["cl"])


@require_POST
@read_required
def suite_refresh(request: HttpRequest) -> HttpResponse:
    outcome = refresh_from_request(request, services.RESOURCE, services.suites_page_sync)
    if not request.htmx:
        if outcome and outcome.error:
            messages.error(request, f"Refresh failed; showing the cached list. {outcome.error.user_message}")
        return redirect("testing:suite-list")
    return render(request, "testing/suite_list.html#table", {**_suite_list_context(request), "stale": False, "outcome": outcome})


#: The suite page's tabs, in order (`?tab=`; the first is the default): key, label.
SUITE_TABS = (("runs", "Runs"), ("tests", "Tests"), ("schedules", "Schedules"), ("alerts", "Alerts"))


def suite_tab(request: HttpRequest) -> str:
    tab = request.GET.get("tab", "")
    return tab if tab in dict(SUITE_TABS) else SUITE_TABS[0][0]


def suite_tab_url(suite_name: str, tab: str) -> str:
    """The suite page on `tab` (the default tab has the bare URL): where its forms send you back."""
    url = reverse("testing:suite-detail", args=[suite_name])
    return url if tab == SUITE_TABS[0][0] else f"{url}?tab={tab}"


def _history(request: HttpRequest, suite_name: str, finished: list[SuiteRun]):
    """The history's page and the names of every version the tab shows: one read of the runs per
    version answers both the version filter and the unfiltered count, and one of the versions'
    names serves the filter, the trend, the pass rate by version and (but for a batch's per-assistant
    versions the filter lacks) the page."""
    counts, names = selectors.history_counts(suite_name)
    on = [v for v in counts if v]
    more = {v for r in finished for v in [r.version_id, *(r.versions or {}).values()] if v} - names.keys()
    names = {**names, **selectors.version_names(more)} if more else names
    history = SUITE_HISTORY.changelist(
        request, suite_name, form_kwargs={"version_choices": selectors.version_filter_choices(suite_name, on, names)},
        count=lambda active, search: sum(counts.values()) if not active and not search else None)
    missing = {v for r in history.page.object_list for v in [r.version_id, *r.versions.values()]} - names.keys()
    return history, {**names, **selectors.version_names(missing)} if missing - {""} else names


def _runs_tab(request: HttpRequest, suite_name: str, destinations, run_form: SuiteRunForm | None, *,
              head: selectors.SuiteHead, finished: list[SuiteRun], names: dict[str, str]) -> dict:
    history, versions = _history(request, suite_name, finished)
    history.export = True
    recent_runs = selectors.recent_suite_test_runs(suite_name)
    return {
        "cl": history, "version_names": versions,
        "by_version": selectors.pass_rate_by_version(suite_name, finished=finished, head=head, names=names, versions=versions),
        "trend": selectors.pass_rate_trend(suite_name, finished=finished, names=versions),
        "recent_runs": recent_runs, "test_names": head.names,
        "triggered_by": {r.telnyx_id: r.started_by for r in recent_runs if r.started_by},
        "run_form": (run_form or SuiteRunForm(destinations=destinations)) if destinations is not None else None,
    }


def _tests_tab(request: HttpRequest, suite_name: str) -> dict:
    return {"tests": selectors.suite_tests(suite_name)[:SUITE_TESTS_SHOWN]}


def _schedules_tab(request: HttpRequest, suite_name: str, destinations, schedule_form: ScheduleForm | None) -> dict:
    return {
        "schedules": [{"schedule": s, "next_run": schedule_services.next_run_at(s), "last": s.firings.first(),
                       "on": schedule_services.versions_label(s)}
                      for s in selectors.suite_schedules(suite_name)],
        "schedule_form": (schedule_form or ScheduleForm(destinations=destinations)) if destinations is not None else None,
    }


def _alerts_tab(request: HttpRequest, suite_name: str, alert_form: AlertForm | None) -> dict:
    alert = alert_services.alert_for(suite_name)
    can_run = request.user.has_perm(OPERATE)
    return {
        "alert": alert, "deliveries": selectors.alert_deliveries(suite_name),
        "alert_form": (alert_form or AlertForm(initial=model_to_dict(alert), webhook_choices=alert_services.webhook_choices())
                       if can_run else None),
    }


def _suite_context(request: HttpRequest, suite_name: str, run_form: SuiteRunForm | None = None,
                   versions_error: str = "", schedule_form: ScheduleForm | None = None,
                   alert_form: AlertForm | None = None, tab: str = "", head: selectors.SuiteHead | None = None,
                   outcomes: dict | None = None) -> dict:
    """The page head (tests, assistants called, pass rate) and only the shown tab's content: a
    tab's tables, forms and Telnyx calls are read when someone opens it. `head`: the suite's tests
    read already; `outcomes`: the versions' syncs the page claimed already (see `suite_detail`)."""
    tab = tab or suite_tab(request)
    head = selectors.suite_head(suite_name) if head is None else head
    # Where syncs run inline (tests, no worker) the versions' sync may have named an assistant just now.
    destinations, called, names = None, head.destinations, None if eager() else head.assistant_names
    if _offers_versions(request, tab) and (run_form is None or schedule_form is None):
        destinations, versions_error = services.destination_versions(user=request.user, suite_name=suite_name,
                                                                     destinations=called, outcomes=outcomes, names=names)
    names = selectors.assistant_names() if names is None else names
    finished = selectors.finished_suite_runs(suite_name)
    context = {
        "suite": suite_name, "tab": tab, "destinations": called,
        "tabs": [{"key": key, "label": label, "url": suite_tab_url(suite_name, key), "active": key == tab} for key, label in SUITE_TABS],
        "assistant_names": names, "tests_total": head.total,
        "pass_rate": selectors.pass_rate(finished), "finished_count": len(finished), "versions_error": versions_error,
    }
    if tab == "runs":
        context.update(_runs_tab(request, suite_name, destinations if run_form is None else (), run_form,
                                 head=head, finished=finished, names=names))
    elif tab == "tests":
        context.update(_tests_tab(request, suite_name))
    elif tab == "schedules":
        context.update(_schedules_tab(request, suite_name, destinations if schedule_form is None else (), schedule_form))
    else:
        context.update(_alerts_tab(request, suite_name, alert_form))
    return context


def _offers_versions(request: HttpRequest, tab: str) -> bool:
    """Only Operators see the Run suite and schedule forms, so only they pay for the versions calls."""
    return tab in ("runs", "schedules") and request.user.has_perm(OPERATE)


def _test_runs_export(request: HttpRequest, suite_name: str) -> HttpResponse:
    """The test runs of the suite runs the history's filters select, with per-criterion results."""
    known_suite(suite_name)
    spec = SUITE_HISTORY
    history = select(request, spec.queryset(suite_name), spec.form_class, spec.columns, spec.default_sort,
                     form_kwargs=spec.form_kwargs(suite_name), filter_value_transforms=spec.filter_value_transforms)
    return export_response(request, export=TEST_RUNS_EXPORT, queryset=selectors.batch_test_runs(history.queryset),
                           resource="test-runs", label=f"Suite {suite_name}")


def render_suite_detail(request: HttpRequest, suite_name: str, *, tab: str, status: int = 200, **forms) -> HttpResponse:
    """The suite page on the form's tab with a form that did not validate (its field errors and values kept)."""
    return render(request, "testing/suite_detail.html", _suite_context(request, suite_name, tab=tab, **forms), status=status)


@require_GET
@read_required
def suite_detail(request: HttpRequest, suite_name: str) -> HttpResponse:
    if wants_export(request):
        return _test_runs_export(request, suite_name)
    # A suite with cached tests is one Telnyx has: no read of the suite names for it.
    head = selectors.suite_head(suite_name)
    known, error = (True, None) if head.total else services.suite_known(suite_name=suite_name)
    if not known and error is None:
        raise Http404("No such test suite")
    listing, outcomes = {}, None
    if not request.htmx and known:
        # Pick up runs started elsewhere (API, schedules): a stale history is synced on the worker
        # while the page shows the cached one; a failure keeps it. Only a suite Telnyx has:
        # a made-up name in the URL would otherwise leave a sync state the sweep keeps re-syncing.
        # The Run suite form's versions are claimed with it: one read of the states, one claim.
        also = services.versions_resources(head.destinations) if _offers_versions(request, suite_tab(request)) else []
        listing = page_syncs(services.suite_history_resource(suite_name), also)
        outcomes = listing.pop("outcomes") if also else None
        outcome = listing["outcome"]
        if outcome is not None and outcome.error:
            messages.warning(request, f"Could not refresh the run history; showing the cached one. {outcome.error.user_message}")
    # The history's filters and pages (HTMX) ask for its table only; the other tabs have no list.
    template = f"{SUITE_HISTORY.template}#table" if request.htmx else SUITE_HISTORY.template
    return render(request, template, {**_suite_context(request, suite_name, head=head, outcomes=outcomes), **listing})


def known_suite(suite_name: str) -> None:
    """Writes act only on suites the portal lists: a name made up in the URL (`support?`,
    `..support`) is a 404, never a run, a schedule or an alert for a suite nobody has."""
    if suite_name not in selectors.suite_names():
        raise Http404("No such test suite")


def unknown_suite(request: HttpRequest, suite_name: str, *, undone: str) -> HttpResponse | None:
    """None if Telnyx has the suite (asking Telnyx when the cached list lacks it); else a redirect
    with a message saying why `undone` did not happen. Not a 404 page: a bookmarked suite page
    on a fresh cache, or a suite whose tests were just moved, is no broken link."""
    known, error = services.suite_known(suite_name=suite_name)
    if known:
        return None
    if error:
        messages.error(request, f"Could not check the suite “{suite_name}” with Telnyx, so {undone}. {error.user_message}")
        return redirect("testing:suite-detail", suite_name=suite_name)
    messages.error(request, f"Telnyx has no test suite named “{suite_name}”, so {undone}. These are the suites it has.")
    return redirect("testing:suite-list")


@require_POST
@operate_required
def suite_run_trigger(request: HttpRequest, suite_name: str) -> HttpResponse:
    """Run suite. On failure the form comes back with the same key, so a retry cannot start a twin batch."""
    if refused := unknown_suite(request, suite_name, undone="nothing was started"):
        return refused
    destinations, versions_error = services.destination_versions(user=request.user, suite_name=suite_name)
    form = SuiteRunForm(request.POST, destinations=destinations)
    if form.is_valid():
        try:
            suite_run = services.suite_run_trigger(
                user=request.user, suite_name=suite_name, versions=form.versions(),
                idempotency_key=form.cleaned_data["idempotency_key"], trials=form.cleaned_data.get("trials") or 1,
            )
        except TelnyxError as exc:
            messages.error(request, f"The suite did not start. {exc.user_message} Press Run suite again to retry.")
        else:
            follow_started(suite_run=suite_run)
            return redirect("testing:suite-run-detail", suite_name=suite_name, batch_id=suite_run.batch_id)
    return render(request, "testing/suite_detail.html",
                  _suite_context(request, suite_name, run_form=form, versions_error=versions_error, tab="runs"))


def _live_context(request: HttpRequest, suite_run: SuiteRun, error: TelnyxError | None = None) -> dict:
    runs = selectors.runs_by_id(suite_run.run_ids)
    tests = {t.telnyx_id: t for t in selectors.suite_tests(suite_run.suite)}
    assistants = selectors.assistant_names()
    versions = selectors.version_names([suite_run.version_id, *suite_run.versions.values()])
    rows = []
    for run_id in suite_run.run_ids:
        run = runs.get(run_id)
        test = tests.get(getattr(run, "test_id", ""))
        destination = test.destination if test else ""
        version = suite_run.versions.get(destination, "") if suite_run.versions else suite_run.version_id
        rows.append({"run": run, "run_id": run_id, "test": test, "assistant_id": destination,
                     "assistant_name": assistants.get(destination, destination), "version_id": version,
                     "version_name": versions.get(version, version)})
    running = sum(1 for r in runs.values() if r.status in ("starting", "running"))
    return {
        "suite_run": suite_run, "rows": rows, "error": error, "running": running,
        "elapsed": ((suite_run.finished_at or timezone.now()) - suite_run.started_at).total_seconds(),
        "version_label": ", ".join(versions.get(v, v) for v in suite_run.versions.values()) if suite_run.versions
        else versions.get(suite_run.version_id, suite_run.version_id),
        "run_again": _run_again_form(request, suite_run),
        # Per assistant the suite's tests call: its tests × trials, flaky badges, Wilson intervals.
        "evidence": [batch_evidence(suite_run, a) for a in selectors.suite_destinations(suite_run.suite)],
        "assistant_names": assistants,
    }


def _run_again_form(request: HttpRequest, suite_run: SuiteRun) -> SuiteRunForm | None:
    """Run suite with this run's versions and a fresh key (rendered as hidden fields), for Operators."""
    if not request.user.has_perm(OPERATE):
        return None
    form = SuiteRunForm(destinations=selectors.destinations_with_versions(suite_run.suite))
    for n, destination in enumerate(form.destinations):
        version = suite_run.versions.get(destination.assistant_id, "") if suite_run.versions else suite_run.version_id
        form.fields[form.field_name(n)].initial = version
    form.fields["trials"].initial = suite_run.trials
    return form


@require_GET
@read_required
def suite_run_live(request: HttpRequest, suite_name: str, batch_id: str) -> HttpResponse:
    suite_run = get_object_or_404(SuiteRun, suite=suite_name, batch_id=batch_id)
    if not suite_run.is_final:
        waiting.mark()  # its status is followed on the worker
    return render(request, "testing/suite_run.html", _live_context(request, suite_run))


@require_GET
@read_required
def suite_run_status(request: HttpRequest, suite_name: str, batch_id: str) -> HttpResponse:
    """The polled fragment: refresh unfinished runs from Telnyx; 286 stops polling once all are final."""
    suite_run = selectors.suite_run(suite_name, batch_id)
    if suite_run is None:
        raise Http404("No such suite run.")
    error = services.suite_run_refresh(suite_run)
    response = render(request, "testing/suite_run.html#status", _live_context(request, suite_run, error))
    return HttpResponseStopPolling(response.content) if suite_run.is_final else response
