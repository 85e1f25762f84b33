"""/alerts/: the rules with their state, add/edit/delete a rule, and an incident's page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.changelist import ChangelistSpec, Column, FilterForm
from core.confirm import confirm_page
from monitoring import selectors, services
from monitoring.forms import AlertRuleForm
from monitoring.models import AlertRule
from portal.roles import operate_required, read_required

#: The rules (kept in the portal's database, not in Telnyx), by name, 50 a page.
RULES = ChangelistSpec(template="monitoring/rule_list.html", queryset=selectors.rules, form_class=FilterForm,
                       columns=[Column("name", "Rule", "name")], default_sort="name")


@require_GET
@read_required
def rule_list(request: HttpRequest) -> HttpResponse:
    return RULES.page(request, {"open": selectors.open_incidents(), "incidents": selectors.recent_incidents(),
                                "assistant_names": selectors.assistant_names()})


def _form(request: HttpRequest, rule: AlertRule | None) -> AlertRuleForm:
    return AlertRuleForm(request.POST or None, instance=rule, assistant_choices=selectors.assistant_choices(),
                         version_choices=selectors.version_choices(), field_choices=selectors.insight_field_choices())


def _edit(request: HttpRequest, rule: AlertRule | None) -> HttpResponse:
    form = _form(request, rule)
    if request.method == "POST" and form.is_valid():
        saved = services.rule_save(user=request.user, data=form.cleaned_data, rule=rule)
        messages.success(request, f"Saved alert rule “{saved.name}”. The worker checks it every minute.")
        return redirect("monitoring:rule-list")
    return render(request, "monitoring/rule_form.html", {"form": form, "rule": rule})


@require_http_methods(["GET", "POST"])
@operate_required
def rule_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
@operate_required
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    return _edit(request, get_object_or_404(selectors.rules(), pk=rule_id))


@require_http_methods(["GET", "POST"])
@operate_required
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(selectors.rules(), pk=rule_id)
    return confirm_page(request, "monitoring/rule_confirm_delete.html", {"rule": rule},
                        act=lambda: services.rule_delete(user=request.user, rule=rule),
                        done=f"Deleted alert rule “{rule.name}”.", failed="Could not delete the rule.",
                        then="monitoring:rule-list")


@require_GET
@read_required
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = get_object_or_404(selectors.incidents(), pk=incident_id)
    return render(request, "monitoring/incident_detail.html", {
        "incident": incident, "notices": incident.notices.all(), "assistant_names": selectors.assistant_names()})


def _incident_step(request: HttpRequest, incident_id: int, step, done: str) -> HttpResponse:
    incident = get_object_or_404(selectors.incidents(), pk=incident_id)
    step(user=request.user, incident=incident)
    messages.success(request, done)
    return redirect("monitoring:incident-detail", incident_id=incident.pk)


@require_POST
@operate_required
def incident_acknowledge(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _incident_step(request, incident_id, services.incident_acknowledge, "Acknowledged: others see you are on it.")


@require_POST
@operate_required
def incident_resolve(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _incident_step(request, incident_id, services.incident_resolve,
                          "Resolved. The rule fires again on the next breach after its cooldown.")
