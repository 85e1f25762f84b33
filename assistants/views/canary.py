"""The canary deploy page: editor with a live split preview, split history, rule tester,
and the observed split. Admins edit; everyone with a role reads."""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assistants import hooks, selectors
from assistants.canary.display import (
    Segment,
    VersionLabels,
    bars_from_rows,
    bars_from_rules,
    candidates,
    describe_match,
    segments_for,
    summary_in_words,
)
from assistants.canary.rules import OPERATORS, route, rule_attributes
from assistants.forms.canary import add_telnyx_errors_to_rows, apply_op, rows_from_post, rows_from_rules, validate_rows
from assistants.forms.loaded import sign_loaded, unsign_loaded
from assistants.models import CanaryConfig
from assistants.services import assistants as assistant_services
from assistants.services import canary as services
from assistants.services import observed as observed_services
from assistants.services import versions as version_services
from assistants.services.conflicts import StaleFormError
from assistants.views.gate_answers import answered, tell_live_change
from core.confirm import confirm_page
from core.forms import key_after
from portal.roles import admin_required, read_required
from portal.telnyx import TelnyxError, new_idempotency_key

PAGE = "assistants/canary.html"
HISTORY_ROWS = 50
DRAFT_LABELS_SECONDS = 60
# Attributes offered in the tester and editor even before any rule uses them.
COMMON_ATTRIBUTES = ["from", "to", "sip_uri", "channel", "telnyx_end_user_target", "telnyx_agent_target"]


def _labels(request: HttpRequest, assistant_id: str) -> tuple[dict, VersionLabels, object]:
    """The assistant (cached copy if Telnyx fails) and its version names (ids only if that fails)."""
    result = assistant_services.assistant_fetch(user=request.user, assistant_id=assistant_id)
    try:
        versions = version_services.version_choices(user=request.user, assistant_id=assistant_id)
    except TelnyxError:
        versions = []
    return result.data, VersionLabels(versions, str(result.data.get("version_id") or "")), result


def _draft_labels(request: HttpRequest, assistant_id: str) -> VersionLabels:
    """Version names for the editor's HTMX calls, kept a minute: the preview runs as the admin
    types, and versions do not change between keystrokes. Saving always reads them afresh."""
    key = f"canary-labels:{assistant_id}"
    labels = cache.get(key)
    if labels is None:
        labels = _labels(request, assistant_id)[1]
        if labels.versions:  # never keep a failed lookup
            cache.set(key, labels, DRAFT_LABELS_SECONDS)
    return labels


def _canary_or_error(request: HttpRequest, assistant_id: str) -> services.CanaryDeploy:
    try:
        return services.canary_fetch(user=request.user, assistant_id=assistant_id)
    except TelnyxError as exc:
        return services.CanaryDeploy(rules=[], exists=False, error=exc)


def _page_context(request: HttpRequest, assistant_id: str, rows=None, errors=(), *, idempotency_key: str = "",
                  stale: StaleFormError | None = None) -> dict:
    """The page; `rows` (the editor as submitted) and the hidden keys are kept on a re-render."""
    assistant, labels, result = _labels(request, assistant_id)
    canary = _canary_or_error(request, assistant_id)
    # Without the current rules, an empty editor would invite overwriting them blindly.
    editing_blocked = canary.error is not None and rows is None
    rows = rows if rows is not None else rows_from_rules(canary.rules)
    history = selectors.canary_history(assistant_id, HISTORY_ROWS)
    # The newest entry holding the rules live now is the current one (none while there is no canary).
    current = next((c.pk for c in history if canary.exists and c.kind != CanaryConfig.Kind.DELETED
                    and c.rules == canary.rules), None)
    return {
        "assistant": assistant, "assistant_id": assistant_id, "result": result, "canary": canary,
        "editing_blocked": editing_blocked, "labels": labels, "rows": rows, "form_errors": errors,
        "bars": bars_from_rows(rows, labels), "saved_bars": bars_from_rules(canary.rules, labels),
        "operators": OPERATORS.items(), "attributes": _attributes(canary.rules),
        "history": [(config, bars_from_rules(config.rules, labels)) for config in history],
        "current_config_id": current,
        "summary": summary_in_words(canary.rules, labels) if canary.exists else "",
        "candidates": candidates(canary.rules, labels),
        "idempotency_key": idempotency_key or request.POST.get("idempotency_key") or new_idempotency_key(),
        # What the editor was opened on: the rules now, or, re-rendered, what it was opened on.
        "loaded_from": sign_loaded(stale.current) if stale else (request.POST.get("loaded_from") or sign_loaded(canary.rules)),
        "stale": stale,
        **hooks.panels("canary", request, assistant_id),
    }


def _attributes(rules: list[dict]) -> list[str]:
    used = rule_attributes(rules)
    return used + [a for a in COMMON_ATTRIBUTES if a not in used]


@require_GET
@read_required
def canary_detail(request: HttpRequest, assistant_id: str) -> HttpResponse:
    return render(request, PAGE, _page_context(request, assistant_id))


@require_POST
@admin_required
def canary_save(request: HttpRequest, assistant_id: str) -> HttpResponse:
    """Save the edited rules; a structural `op` without JavaScript re-renders the editor."""
    rows = rows_from_post(request.POST)
    if request.POST.get("op"):
        return render(request, PAGE, _page_context(request, assistant_id, apply_op(rows, request.POST["op"])))
    _, labels, _ = _labels(request, assistant_id)
    rules = validate_rows(rows, {v["id"] for v in labels.versions})
    errors: list[str] = []
    key, stale = request.POST.get("idempotency_key", ""), None
    # Apps built on assistants (releases: two-person approval) may make the rules wait or refuse them.
    gate = hooks.canary_gate(user=request.user, assistant_id=assistant_id, rules=rules,
                             main_version_id=labels.main_version_id) if rules else hooks.GateAnswer(True)
    if waiting := answered(request, gate):
        return waiting
    if rules == []:
        errors = ["Add at least one rule, or delete the canary deploy to send all traffic to main."]
    elif rules is not None and gate.allowed:  # a refusal is said; the editor keeps what was typed
        try:
            services.canary_save(user=request.user, assistant_id=assistant_id, rules=rules, idempotency_key=key,
                                 loaded_rules=unsign_loaded(request.POST.get("loaded_from", "")))
        except StaleFormError as exc:
            stale = exc
        except TelnyxError as exc:
            errors = add_telnyx_errors_to_rows(rows, exc)
            key = key_after(key, exc)
            messages.error(request, f"Telnyx did not save the canary deploy. {exc.user_message}")
        else:
            messages.success(request, "Saved the canary deploy.")
            tell_live_change(request, assistant_id, "saved new canary rules")
            return redirect("assistants:canary-detail", assistant_id=assistant_id)
    return render(request, PAGE, _page_context(request, assistant_id, rows, errors, idempotency_key=key, stale=stale))


@require_POST
@admin_required
def canary_editor(request: HttpRequest, assistant_id: str) -> HttpResponse:
    """HTMX: add or remove a rule, clause or rollout row; returns the editor again."""
    rows = apply_op(rows_from_post(request.POST), request.POST.get("op", ""))
    labels = _draft_labels(request, assistant_id)
    context = {"assistant_id": assistant_id, "rows": rows, "labels": labels, "bars": bars_from_rows(rows, labels),
               "operators": OPERATORS.items(), "attributes": COMMON_ATTRIBUTES,
               "idempotency_key": request.POST.get("idempotency_key") or new_idempotency_key(),
               "loaded_from": request.POST.get("loaded_from", "")}
    return render(request, f"{PAGE}#editor", context)


@require_POST
@admin_required
def canary_preview(request: HttpRequest, assistant_id: str) -> HttpResponse:
    """HTMX, as the admin types: validate server-side, redraw the bars, place errors by each input."""
    rows = rows_from_post(request.POST)
    labels = _draft_labels(request, assistant_id)
    validate_rows(rows, {v["id"] for v in labels.versions})
    return render(request, f"{PAGE}#preview", {"rows": rows, "bars": bars_from_rows(rows, labels), "oob": True})


@require_http_methods(["GET", "POST"])
@admin_required
def canary_delete(request: HttpRequest, assistant_id: str) -> HttpResponse:
    def act() -> bool:
        deleted = services.canary_delete(user=request.user, assistant_id=assistant_id)
        if deleted:
            tell_live_change(request, assistant_id, "deleted the canary deploy")
        return deleted

    return confirm_page(
        request, "assistants/canary_confirm_delete.html", {"assistant_id": assistant_id},
        act=act,
        done="Deleted the canary deploy: all traffic goes to main.", gone="There was no canary deploy to delete.",
        failed="Could not delete the canary deploy.", leave_on_error=True,
        then=reverse("assistants:canary-detail", args=[assistant_id]))


@require_POST
@admin_required
def canary_restore(request: HttpRequest, assistant_id: str, config_id: int) -> HttpResponse:
    config = get_object_or_404(CanaryConfig, pk=config_id, assistant_id=assistant_id)
    _, labels, _ = _labels(request, assistant_id)
    gate = hooks.canary_gate(user=request.user, assistant_id=assistant_id, rules=config.rules,
                             main_version_id=labels.main_version_id)
    if waiting := answered(request, gate):
        return waiting
    if not gate.allowed:
        return redirect("assistants:canary-detail", assistant_id=assistant_id)
    try:
        services.canary_restore(user=request.user, assistant_id=assistant_id, config_id=config_id,
                                idempotency_key=request.POST.get("idempotency_key", ""))
    except TelnyxError as exc:
        messages.error(request, f"Could not restore that configuration. {exc.user_message}")
    else:
        messages.success(request, "Restored the earlier canary configuration.")
        tell_live_change(request, assistant_id, "restored earlier canary rules")
    return redirect("assistants:canary-detail", assistant_id=assistant_id)


@require_GET
@read_required
def canary_test(request: HttpRequest, assistant_id: str) -> HttpResponse:
    """The rule tester: which rule a routing context matches and where it would go. Tests the
    saved rules, or the editor's draft when it is sent along (`draft=1`)."""
    names, values = request.GET.getlist("attribute"), request.GET.getlist("value")
    context = {n.strip(): v.strip() for n, v in zip(names, values) if n.strip()}
    testing_draft = bool(request.GET.get("draft"))
    if testing_draft:
        labels = _draft_labels(request, assistant_id)
        rules = validate_rows(rows_from_post(request.GET), {v["id"] for v in labels.versions})
        if rules is None:
            return render(request, f"{PAGE}#tester-result", {"draft_invalid": True})
        exists = True
    else:
        _, labels, _ = _labels(request, assistant_id)
        canary = services.canary_fetch(user=request.user, assistant_id=assistant_id)
        rules, exists = canary.rules, canary.exists
    outcome = route(rules, context, main_version_id=labels.main_version_id)
    return render(request, f"{PAGE}#tester-result", {
        "outcome": outcome, "tested_context": context, "rules_exist": exists, "testing_draft": testing_draft,
        "segments": segments_for(outcome.shares, labels),
        "condition": describe_match((outcome.rule or {}).get("match") or []) if outcome.rule else "",
    })


@require_GET
@read_required
def canary_observed(request: HttpRequest, assistant_id: str) -> HttpResponse:
    """HTMX: conversations per serving version, beside the configured weights."""
    canary = services.canary_fetch(user=request.user, assistant_id=assistant_id)
    split = observed_services.observed_split(user=request.user, assistant_id=assistant_id,
                                             refresh=bool(request.GET.get("refresh")),
                                             since=canary.created_at if canary.exists else None)
    _, labels, _ = _labels(request, assistant_id)
    return render(request, f"{PAGE}#observed", {
        "split": split, "assistant_id": assistant_id, "saved_bars": bars_from_rules(canary.rules, labels),
        "observed_bars": [(w, _observed_segments(w, labels)) for w in split.windows],
    })


def _observed_segments(window: observed_services.WindowCounts, labels: VersionLabels) -> list[Segment]:
    return [Segment(v, labels.name(v), round(window.percent(v), 1), labels.colour(v), count)
            for v, count in window.counts.items()]
