"""The Versions tab: list, detail, edit, delete, compare, promote and roll back."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from assistants import hooks, selectors
from assistants.canary.display import canary_in_words
from assistants.compare import compare
from assistants.forms.change import tools_body
from assistants.forms.lifecycle import VersionFilterForm
from assistants.forms.loaded import loaded_of
from assistants.services import assistants as assistant_services
from assistants.services import canary as canary_services
from assistants.services import trial_chat
from assistants.services import versions as services
from assistants.views.change import FORM_TEMPLATE, change_forms, form_context, save_change, saved_flash
from assistants.views.gate_answers import answered, tell_live_change
from core.background import page_sync, sync_if_stale
from core.changelist import ChangelistSpec, Column
from core.confirm import confirm_page
from core.forms import key_after
from portal.roles import admin_required, read_required
from portal.telnyx import NotFoundError, TelnyxError, new_idempotency_key


def _head(request: HttpRequest, assistant_id: str) -> dict:
    """What every versions page shows: the live assistant (its main version) and the canary."""
    result = assistant_services.assistant_fetch(user=request.user, assistant_id=assistant_id)
    return {
        "assistant": result.data, "assistant_id": assistant_id, "result": result,
        "main_version_id": str(result.data.get("version_id") or ""),
    }


def _canary_or_none(request: HttpRequest, assistant_id: str) -> canary_services.CanaryDeploy | None:
    """The canary deploy if there is one; None when there is none or it cannot be read (it is
    context here: a failing read must not block the page)."""
    try:
        canary = canary_services.canary_fetch(user=request.user, assistant_id=assistant_id)
    except TelnyxError:
        return None
    return canary if canary.exists else None


VERSIONS = ChangelistSpec(
    template="assistants/version_list.html", queryset=selectors.versions_queryset, form_class=VersionFilterForm,
    columns=[Column("name", "Version", "name"), Column("created", "Created", "created_at")], default_sort="-created",
)


@require_GET
@read_required
def version_list(request: HttpRequest, assistant_id: str) -> HttpResponse:
    head = _head(request, assistant_id)
    # The cached versions at once; a stale cache is synced on the worker (the page shows it).
    listing = page_sync(services.versions_resource(assistant_id))
    canary = _canary_or_none(request, assistant_id)
    # One page of versions (search, sort, pages like every list); the compare pickers offer that page and main.
    cl = VERSIONS.changelist(request, assistant_id)
    versions = list(cl.page.object_list)
    # Main is mostly the newest, on the first page: looked for only when it is not.
    main = next((v for v in versions if v.is_main), None) or selectors.main_version(assistant_id)
    versions_offered = [main, *versions] if main is not None and main not in versions else versions
    rollback = services.rollback_target(assistant_id=assistant_id, main_version_id=head["main_version_id"])
    named = [vid for vid, _ in canary.splits] if canary else []
    return VERSIONS.page(request, {
        **head, **listing, "tab": "versions", "canary": canary,
        "versions_offered": versions_offered,
        "default_b": next((v.version_id for v in versions_offered if not v.is_main), ""),
        "canary_text": canary_in_words(canary, selectors.versions_queryset(assistant_id).filter(version_id__in=named)),
        "canary_weights": {vid: (f"{w:g}" if w is not None else None) for vid, w in canary.splits} if canary else {},
        "rollback": rollback,
        "version_names": selectors.version_names_of(assistant_id, [*named, *([rollback.from_version_id] if rollback else [])],
                                                    known=versions_offered),
    }, cl=cl)


@require_GET
@read_required
def version_detail(request: HttpRequest, assistant_id: str, version_id: str) -> HttpResponse:
    head = _head(request, assistant_id)
    version = services.version_fetch(user=request.user, assistant_id=assistant_id, version_id=version_id)
    return render(request, "assistants/version_detail.html", {
        **head, "tab": "versions", "version": version.data, "version_result": version,
        "is_main": version_id == head["main_version_id"],
        # "Try in chat" talks to a version that is not live only when a trial rule may be added.
        "trial_refusal": "" if version_id == head["main_version_id"] else
        trial_chat.trial_refusal(user=request.user, assistant_id=assistant_id),
        # Testing's panel: run this version's suites from here, and their runs.
        **hooks.panels("version", request, assistant_id, version_id=version_id),
    })


@require_http_methods(["GET", "POST"])
@admin_required
def version_change(request: HttpRequest, assistant_id: str, version_id: str) -> HttpResponse:
    head = _head(request, assistant_id)
    if version_id == head["main_version_id"]:
        messages.info(request, "This is the main version: edit it through the assistant's Change tab.")
        return redirect("assistants:assistant-change", assistant_id=assistant_id)
    # On POST this is the re-fetch the stale-save check compares with what the form was loaded from.
    version = services.version_fetch(user=request.user, assistant_id=assistant_id, version_id=version_id).data
    form, tools = change_forms(request, version)
    stale = None
    if request.method == "POST" and form.is_valid() and tools.is_valid():
        changes = {**form.settings_body(version), **tools_body(tools, version)}
        if form.cleaned_data["version_name"]:
            changes["version_name"] = form.cleaned_data["version_name"]
        ok, _, stale = save_change(form, tools, lambda: services.version_update(
            user=request.user, assistant_id=assistant_id, version_id=version_id, changes=changes, before=version,
            loaded=loaded_of(form), idempotency_key=form.cleaned_data["idempotency_key"]))
        if ok:
            name = changes.get("version_name") or version.get("version_name") or version_id
            messages.success(request, saved_flash(assistant_id, version_id, f"Saved version “{name}”."))
            return redirect("assistants:version-detail", assistant_id=assistant_id, version_id=version_id)
    return render(request, FORM_TEMPLATE, {**head, **form_context(version, form, tools), "tab": "versions",
                                           "version": version, "editing_version": True, "stale": stale})


@require_http_methods(["GET", "POST"])
@admin_required
def version_delete(request: HttpRequest, assistant_id: str, version_id: str) -> HttpResponse:
    head = _head(request, assistant_id)
    version = services.version_fetch(user=request.user, assistant_id=assistant_id, version_id=version_id).data
    canary = _canary_or_none(request, assistant_id)
    rollback = services.rollback_target(assistant_id=assistant_id, main_version_id=head["main_version_id"])
    name = version.get("version_name") or version_id
    return confirm_page(
        request, "assistants/version_confirm_delete.html", {
            **head, "version": version, "is_main": version_id == head["main_version_id"],
            "in_canary": bool(canary and version_id in canary.version_ids),
            "is_rollback_target": bool(rollback and rollback.from_version_id == version_id)},
        act=lambda: services.version_delete(user=request.user, assistant_id=assistant_id, version_id=version_id),
        done=f"Deleted version “{name}”.", failed=f"Could not delete version “{name}”.",
        then=reverse("assistants:version-list", args=[assistant_id]))


@require_GET
@read_required
def version_compare(request: HttpRequest, assistant_id: str) -> HttpResponse:
    head = _head(request, assistant_id)
    versions = selectors.versions_of(assistant_id)
    left_id = request.GET.get("a") or head["main_version_id"]
    right_id = request.GET.get("b") or next((v.version_id for v in versions if v.version_id != left_id), left_id)
    left = services.version_fetch(user=request.user, assistant_id=assistant_id, version_id=left_id).data
    right = services.version_fetch(user=request.user, assistant_id=assistant_id, version_id=right_id).data
    return render(request, "assistants/version_compare.html", {
        **head, "tab": "versions", "versions": versions, "left": left, "right": right,
        "comparison": compare(left, right),
    })


@require_http_methods(["GET", "POST"])
@admin_required
def version_promote(request: HttpRequest, assistant_id: str, version_id: str) -> HttpResponse:
    head = _head(request, assistant_id)
    if version_id == head["main_version_id"]:
        messages.info(request, "This version is already main.")
        return redirect("assistants:version-list", assistant_id=assistant_id)
    version = services.version_fetch(user=request.user, assistant_id=assistant_id, version_id=version_id).data
    canary = _canary_or_none(request, assistant_id)
    if canary:
        sync_if_stale(services.versions_resource(assistant_id))  # names in the warning come from the cache
    canary_text = canary_in_words(canary, selectors.versions_of(assistant_id), version)
    key = request.POST.get("idempotency_key") or new_idempotency_key()
    if request.method == "POST":
        # Apps built on assistants (releases: the suite gate, two-person approval) may refuse or make it wait.
        gate = hooks.promotion_gate(user=request.user, assistant_id=assistant_id, version_id=version_id,
                                    post=request.POST)
        if waiting := answered(request, gate):
            return waiting
        if gate.allowed:
            try:
                services.version_promote(user=request.user, assistant_id=assistant_id, version_id=version_id,
                                         from_version_id=head["main_version_id"], idempotency_key=key)
            except TelnyxError as exc:
                key = key_after(key, exc)
                messages.error(request, f"Could not promote the version. {exc.user_message}")
            else:
                removed = f" The canary deploy ({canary_text}) was removed." if canary else ""
                messages.success(request, f"Promoted “{version.get('version_name') or version_id}” to main: it now gets all traffic.{removed} "
                                          "You can roll back from the Versions tab.")
                tell_live_change(request, assistant_id, "promoted a version", promoted_version_id=version_id)
                return redirect("assistants:version-list", assistant_id=assistant_id)
    return render(request, "assistants/version_confirm_promote.html", {
        **head, "version": version, "canary": canary, "canary_text": canary_text, "kind": "promote",
        "comparison": compare(head["assistant"], version), "idempotency_key": key,
        **hooks.panels("promote", request, assistant_id, version_id=version_id),
    })


@require_http_methods(["GET", "POST"])
@admin_required
def assistant_rollback(request: HttpRequest, assistant_id: str) -> HttpResponse:
    head = _head(request, assistant_id)
    record = services.rollback_target(assistant_id=assistant_id, main_version_id=head["main_version_id"])
    if record is None:
        messages.info(request, "There is no earlier main version to roll back to.")
        return redirect("assistants:version-list", assistant_id=assistant_id)
    try:
        previous = services.version_fetch(user=request.user, assistant_id=assistant_id, version_id=record.from_version_id).data
    except NotFoundError:
        # Telnyx no longer has the previous main (its cached row is dropped, so Roll back is no longer offered).
        messages.warning(request, "The previous main version no longer exists in Telnyx: there is nothing to roll back to.")
        return redirect("assistants:version-list", assistant_id=assistant_id)
    canary = _canary_or_none(request, assistant_id)
    if canary:
        sync_if_stale(services.versions_resource(assistant_id))  # names in the warning come from the cache
    canary_text = canary_in_words(canary, selectors.versions_of(assistant_id), previous)
    key = request.POST.get("idempotency_key") or new_idempotency_key()
    if request.method == "POST":
        # Rolling back sends every caller to a version that is not main now (and may have been
        # edited since it was): the same gate as a promotion, without the suites check.
        gate = hooks.promotion_gate(user=request.user, assistant_id=assistant_id, version_id=record.from_version_id,
                                    post=request.POST, rollback=True)
        if waiting := answered(request, gate):
            return waiting
    if request.method == "POST" and gate.allowed:
        try:
            services.version_rollback(user=request.user, assistant_id=assistant_id, main_version_id=head["main_version_id"],
                                      idempotency_key=key)
        except TelnyxError as exc:
            key = key_after(key, exc)
            messages.error(request, f"Could not roll back. {exc.user_message}")
        else:
            messages.success(request, f"Rolled back: “{previous.get('version_name') or record.from_version_id}” is main again.")
            tell_live_change(request, assistant_id, "rolled back", promoted_version_id=record.from_version_id)
            return redirect("assistants:version-list", assistant_id=assistant_id)
    return render(request, "assistants/version_confirm_promote.html", {
        **head, "version": previous, "canary": canary, "canary_text": canary_text, "kind": "rollback", "record": record,
        "comparison": compare(head["assistant"], previous), "idempotency_key": key,
    })
