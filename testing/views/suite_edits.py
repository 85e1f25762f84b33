"""Add, rename and delete a suite (Admin). Each is one test update per test in Telnyx."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from portal.roles import admin_required
from testing import selectors
from testing.forms.suites import SuiteAddForm, SuiteRenameForm
from testing.services import suite_edits as services

FORM_TEMPLATE = "testing/suite_form.html"


def _report(request: HttpRequest, moved: int, failures: list[str], done: str) -> None:
    if moved or not failures:
        messages.success(request, done)
    for failure in failures:
        messages.error(request, f"Telnyx refused to move {failure}")


def _known(suite_name: str) -> None:
    if suite_name not in selectors.suite_names():
        raise Http404("No such test suite")


@require_http_methods(["GET", "POST"])
@admin_required
def suite_create(request: HttpRequest) -> HttpResponse:
    form = SuiteAddForm(request.POST or None, initial={"tests": request.GET.getlist("test")},
                        test_choices=selectors.test_suite_choices())
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        try:
            moved, failures = services.suite_create(user=request.user, name=name, test_ids=form.cleaned_data["tests"])
        except services.SuiteEditError as exc:
            form.add_error("name", str(exc))
        else:
            _report(request, moved, failures, f"Added suite “{name.strip()}” with {moved} test{'s' if moved != 1 else ''}.")
            if moved:
                return redirect("testing:suite-detail", suite_name=services.clean_suite_name(name))
    return render(request, FORM_TEMPLATE, {"form": form, "title": "Add suite"})


@require_http_methods(["GET", "POST"])
@admin_required
def suite_rename(request: HttpRequest, suite_name: str) -> HttpResponse:
    _known(suite_name)
    form = SuiteRenameForm(request.POST or None, initial={"name": suite_name})
    if request.method == "POST" and form.is_valid():
        new_name = form.cleaned_data["name"]
        try:
            moved, failures = services.suite_rename(user=request.user, suite_name=suite_name, new_name=new_name)
        except services.SuiteEditError as exc:
            form.add_error("name", str(exc))
        else:
            new_name = services.clean_suite_name(new_name)
            _report(request, moved, failures, f"Renamed suite “{suite_name}” to “{new_name}”." if not failures else
                    f"Moved {moved} test{'s' if moved != 1 else ''} to “{new_name}”; rename again to move the rest.")
            return redirect("testing:suite-detail", suite_name=suite_name if failures and not moved else new_name)
    return render(request, FORM_TEMPLATE, {"form": form, "suite": suite_name, "title": f"Rename “{suite_name}”"})


@require_http_methods(["GET", "POST"])
@admin_required
def suite_delete(request: HttpRequest, suite_name: str) -> HttpResponse:
    _known(suite_name)
    tests = list(selectors.suite_tests(suite_name))
    if request.method == "POST":
        moved, failures = services.suite_delete(user=request.user, suite_name=suite_name)
        if failures:
            _report(request, moved, failures, f"Took {moved} test{'s' if moved != 1 else ''} out of “{suite_name}”; "
                                              "delete again to take out the rest.")
            return redirect("testing:suite-detail", suite_name=suite_name)
        messages.success(request, f"Deleted suite “{suite_name}”; its {moved} test{'s' if moved != 1 else ''} are kept, out of any suite.")
        return redirect("testing:suite-list")
    return render(request, "testing/suite_confirm_delete.html", {"suite": suite_name, "tests": tests,
                                                                  "schedules": selectors.suite_schedules(suite_name).count()})
