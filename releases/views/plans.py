"""Rollout plans of one assistant: list and new plan, the plan page, and its Admin actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assistants import selectors as assistant_selectors
from assistants.canary.display import bars_from_rules, describe_match
from assistants.services.versions import version_choices
from portal.roles import admin_required, read_required
from portal.telnyx import TelnyxError
from releases import selectors
from releases.charts import interval_charts
from releases.forms import PlanForm
from releases.models import GateResult, RolloutPlan
from releases.services import guardrails, planner
from releases.services import plans as services
from releases.services.live import policy_change
from releases.services.planner import PlanEstimate
from releases.services.policy import release_suites_set, two_person_required
from releases.services.promotion import release_suites
from testing.selectors import suites_for_assistant

GATES_SHOWN = 20
CHART_LOOKS = 200


def _base(assistant_id: str) -> dict:
    return {"assistant_id": assistant_id, "assistant_name": assistant_selectors.assistant_name(assistant_id), "tab": "releases"}


@require_http_methods(["GET", "POST"])
@read_required
def plan_list(request: HttpRequest, assistant_id: str) -> HttpResponse:
    """The assistant's plans and, for Admins, the new plan form."""
    form = None
    if request.user.has_perm("portal.administer"):
        try:
            versions = version_choices(user=request.user, assistant_id=assistant_id)
        except TelnyxError as exc:
            versions = []
            messages.error(request, f"Could not read the versions, so no plan can be made now. {exc.user_message}")
        main = assistant_selectors.main_version_id(assistant_id)
        choices = [(v["id"], f"{v['name'] or v['id']} · {v['id'][:8]}") for v in versions if v["id"] != main]
        form = PlanForm(request.POST or None, versions=choices, alert_rules=guardrails.usable_rules(assistant_id),
                        rule_guardrail=lambda rule: guardrails.rule_guardrail(rule, main_version_id=main))
        valid = request.method == "POST" and form.is_valid()
        planned = _estimate(assistant_id, main, form if valid else None)
        if valid and "estimate" not in request.POST:
            plan = services.plan_create(
                user=request.user, assistant_id=assistant_id, candidate_version_id=form.cleaned_data["candidate"],
                candidate_name=dict(choices)[form.cleaned_data["candidate"]].split(" · ")[0], steps=form.steps(),
                suite_threshold=form.cleaned_data["suite_threshold"] / 100, suite_trials=form.cleaned_data["suite_trials"] or 3,
                min_sample=form.cleaned_data["min_sample"], alpha=form.cleaned_data["alpha"],
                **form.live_gate_fields(planned_sample=planned.needed if planned else None))
            messages.success(request, "Plan saved as a draft. Check the steps, then start it.")
            for note in getattr(form, "rule_notes", []):
                messages.info(request, f"Guardrail from alert rule {note}")
            return redirect("releases:plan-detail", assistant_id=assistant_id, plan_id=plan.pk)
    elif request.method == "POST":
        raise PermissionDenied("Your role does not allow this.")
    else:
        planned = None
    return render(request, "releases/plan_list.html", {
        **_base(assistant_id), "plans": selectors.plans_for(assistant_id)[:50], "form": form, "planned": planned,
        "two_person": two_person_required(assistant_id), "approvals": selectors.pending_approvals(assistant_id),
        "expired_approvals": selectors.expired_approvals(assistant_id),
        "suite_choices": suites_for_assistant(assistant_id), "release_suites": release_suites(assistant_id),
    })


def _estimate(assistant_id: str, main: str, form: PlanForm | None) -> PlanEstimate | None:
    """The planner for what was typed (a valid form) or the form's defaults."""
    if not main:
        return None
    if form is not None:
        data = form.cleaned_data
        settings = {"judged": form.judged(), "margin": data["margin"], "alpha": data["alpha"],
                    "margins": {k: m for k, m in data["guardrails"].items() if m is not None},
                    "weights": data["weights"] if data["live_gate"] else [],
                    "max_step_seconds": round(data["max_step_hours"] * 3600)}
    else:
        fields = PlanForm.base_fields
        settings = {"judged": [], "margin": fields["margin"].initial, "alpha": fields["alpha"].initial, "margins": {},
                    "weights": [float(w) for w in fields["weights"].initial.split(",")],
                    "max_step_seconds": round(fields["max_step_hours"].initial * 3600)}
    return planner.estimate(assistant_id=assistant_id, main_version_id=main, **settings)


@require_GET
@read_required
def plan_detail(request: HttpRequest, assistant_id: str, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(RolloutPlan, pk=plan_id, assistant_id=assistant_id)
    labels = selectors.version_labels(assistant_id)
    steps = [(step, bars_from_rules(step.rules or [], labels), describe_match(step.match) if step.match else "")
             for step in plan.steps.all()]
    # A waiting live gate is judged again on every engine tick: list the latest, count the rest,
    # and draw the intervals of the latest CHART_LOOKS live looks (a page that grows with them would not).
    gates = list(plan.gate_results.select_related("step")[:GATES_SHOWN])
    live = list(plan.gate_results.filter(kind=GateResult.Kind.LIVE).select_related("step")[:CHART_LOOKS])
    return render(request, "releases/plan_detail.html", {
        **_base(assistant_id), "plan": plan, "steps": steps, "gates": gates,
        "gate_count": plan.gate_results.count() if len(gates) == GATES_SHOWN else len(gates),
        "suites_gated": any(step.gate_tests for step, _, _ in steps),
        "interval_charts": interval_charts(live), "approvals": plan.approvals.select_related("step"),
        "alerts": plan.alerts.all()[:20],
        "before_bars": bars_from_rules(plan.rules_before or [], labels),
    })


ACTIONS = {
    "start": lambda user, plan, post: services.plan_start(user=user, plan=plan),
    "pause": lambda user, plan, post: services.plan_pause(user=user, plan=plan),
    "resume": lambda user, plan, post: services.plan_resume(user=user, plan=plan),
    "skip": lambda user, plan, post: services.plan_skip(user=user, plan=plan, step_index=int(post.get("step", -1))),
    "abort": lambda user, plan, post: services.plan_abort(user=user, plan=plan, reason=post.get("reason", "").strip()),
    "retry-restore": lambda user, plan, post: services.plan_retry_restore(user=user, plan=plan),
}


@require_POST
@admin_required
def plan_action(request: HttpRequest, assistant_id: str, plan_id: int, action: str) -> HttpResponse:
    """Start, pause, resume, skip the current step, abort; the result is said in words."""
    if action not in ACTIONS:
        raise Http404("No such plan action.")
    plan = get_object_or_404(RolloutPlan, pk=plan_id, assistant_id=assistant_id)
    try:
        plan = ACTIONS[action](request.user, plan, request.POST)
    except services.PlanStateError as exc:
        messages.error(request, str(exc))
    except TelnyxError as exc:
        messages.error(request, f"Could not {action} the plan. {exc.user_message}")
    except ValueError:
        messages.error(request, "That step is not the plan's current step.")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{plan.get_status_display()}. {plan.message}")
    # The canary page sends its own address back; anything else returns to the plan page.
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("releases:plan-detail", kwargs={"assistant_id": assistant_id, "plan_id": plan.pk})
    return redirect(target)


@require_POST
@admin_required
def policy_update(request: HttpRequest, assistant_id: str) -> HttpResponse:
    on = request.POST.get("two_person_approval") == "on"
    waiting = policy_change(user=request.user, assistant_id=assistant_id, on=on)
    if waiting is not None:
        messages.info(request, "Turning two-person approval off needs a second Admin: the request is waiting for them.")
        return redirect("releases:approval-detail", assistant_id=assistant_id, approval_id=waiting.pk)
    messages.success(request, f"Two-person approval is {'on' if on else 'off'} for this assistant.")
    return redirect("releases:plan-list", assistant_id=assistant_id)


@require_POST
@admin_required
def release_suites_update(request: HttpRequest, assistant_id: str) -> HttpResponse:
    """The suites a version must pass on itself before promotion; all ticked means all (and new ones)."""
    offered = suites_for_assistant(assistant_id)
    chosen = [s for s in request.POST.getlist("suite") if s in offered]
    release_suites_set(user=request.user, assistant_id=assistant_id, suites=None if set(chosen) == set(offered) else chosen)
    messages.success(request, "Release suites saved: " + (", ".join(chosen) if chosen else "none (every promotion needs an override)") + ".")
    return redirect("releases:plan-list", assistant_id=assistant_id)
