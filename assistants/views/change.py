"""The assistant change form: saving makes a new version that is not live.

Making it live is a separate, confirmed action (the version's promote page), offered in the
flash after saving together with trying it in chat and running the suites on it.
"""

from __future__ import annotations

from typing import Any, Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods

from assistants import hooks, selectors
from assistants.forms.change import (
    TOOL_TYPES,
    TOOLS_PREFIX,
    AssistantChangeForm,
    ToolForm,
    ToolFormSet,
    place_telnyx_errors,
    shared_tools,
    tool_formset,
    tools_body,
    unmodeled_settings,
)
from assistants.forms.loaded import loaded_of, reload_from
from assistants.services import assistants as services
from assistants.services import change
from assistants.services.conflicts import StaleFormError
from inference.services import form_model_choices
from portal.roles import admin_required
from portal.telnyx import TelnyxError

FORM_TEMPLATE = "assistants/assistant_change_form.html"


def change_forms(request: HttpRequest, payload: dict) -> tuple[AssistantChangeForm, object]:
    """The settings form and tool rows for `payload`, bound to the POST if there is one."""
    data = request.POST if request.method == "POST" else None
    form = AssistantChangeForm(
        data, initial=AssistantChangeForm.initial_from(payload),
        model_choices=form_model_choices(), current_model=str(payload.get("model") or ""),
        known_tags=[tag for tag, _ in selectors.assistant_tag_filter_choices()],
    )
    return form, tool_formset(data, tools=payload.get("tools") or [])


def form_context(payload: dict, form, tools) -> dict:
    return {
        "form": form, "tools": tools, "tool_types": TOOL_TYPES, "payload": payload,
        "shared_tools": shared_tools(payload.get("tools") or []),
        "unmodeled": unmodeled_settings(payload, form.attached_keys()), "unlisted": form.unlisted,
    }


@require_http_methods(["GET", "POST"])
@admin_required
def assistant_change(request: HttpRequest, assistant_id: str) -> HttpResponse:
    # On POST this is the re-fetch the stale-save check compares with what the form was loaded from.
    result = services.assistant_fetch(user=request.user, assistant_id=assistant_id)
    assistant = result.data
    form, tools = change_forms(request, assistant)
    stale = None
    if request.method == "POST" and form.is_valid() and tools.is_valid():
        changes = {**form.settings_body(assistant), **tools_body(tools, assistant)}
        if not changes and not form.cleaned_data["version_name"]:
            messages.info(request, "Nothing changed, so no new version was saved.")
            return redirect("assistants:assistant-detail", assistant_id=assistant_id)
        ok, saved, stale = save_change(form, tools, lambda: change.assistant_update(
            user=request.user, assistant_id=assistant_id, changes=changes, before=assistant,
            promote_to_main=False, version_name=form.cleaned_data["version_name"],
            idempotency_key=form.cleaned_data["idempotency_key"], loaded=loaded_of(form),
        ))
        if ok:
            version_id = str(saved.get("version_id") or "")
            name = saved.get("version_name") or version_id
            messages.success(request, saved_flash(assistant_id, version_id, f"Saved new version “{name}”."))
            return redirect("assistants:version-detail", assistant_id=assistant_id, version_id=version_id)
    context = {**form_context(assistant, form, tools), "assistant": assistant, "assistant_id": assistant_id,
               "result": result, "tab": "change", "pruned": selectors.version_pruned_by_next_save(assistant_id),
               "stale": stale}
    return render(request, FORM_TEMPLATE, context)


def save_change(form, tools, save: Callable[[], Any]) -> tuple[bool, Any, StaleFormError | None]:
    """Run `save()` for a change form and its tool rows: (True, what it returned, None); or
    (False, None, the refusal) when someone saved meanwhile (the form now shows what is there);
    or (False, None, None) when Telnyx refused, its errors placed on the form and the rows."""
    try:
        return True, save(), None
    except StaleFormError as exc:
        reload_from(form, exc.current)
        return False, None, exc
    except TelnyxError as exc:
        place_telnyx_errors(form, tools, exc)
        form.renew_key_if_refused(exc)
        return False, None, None


def saved_flash(assistant_id: str, version_id: str, lead: str) -> str:
    """The message after saving a version (`lead` says what was saved), with the next steps
    one click away: try it in chat, run the suites on it, make it live (confirmed)."""
    return format_html(
        "{} It is not live. {} "
        '<span class="next-steps"><a class="btn btn-small" href="{}">Try in chat</a>'
        '<a class="btn btn-small" href="{}#version-suites">Run suites on this version</a>'
        '<a class="btn btn-small btn-primary" href="{}">Make live…</a></span>',
        lead, hooks.release_notes(assistant_id), reverse("assistants:chat", args=[assistant_id]) + "?" + urlencode({"version": version_id}),
        reverse("assistants:version-detail", args=[assistant_id, version_id]),
        reverse("assistants:version-promote", args=[assistant_id, version_id]),
    )


@require_GET
@admin_required
def tool_row(request: HttpRequest) -> HttpResponse:
    """A server-rendered tool row for HTMX: a new row of `new_tool_type` (and the formset's
    TOTAL_FORMS bumped out of band), or, with `remove=<index>`, that row marked for removal."""
    if "remove" in request.GET:
        index = int(request.GET["remove"]) if request.GET["remove"].isdigit() else 0
        return render(request, "assistants/_tool_row.html", {"removed_index": index, "prefix": TOOLS_PREFIX})
    total = request.GET.get(f"{TOOLS_PREFIX}-TOTAL_FORMS", "0")
    index = int(total) if total.isdigit() else 0
    kind = request.GET.get("new_tool_type")
    kind = kind if kind in TOOL_TYPES else "webhook"
    # The formset's empty form carries the formset's own fields (DELETE); it gets the next index.
    formset = ToolFormSet(prefix=TOOLS_PREFIX, form_kwargs={"initial": ToolForm.initial_from({"type": kind, kind: {}})})
    tool = formset.empty_form
    tool.prefix = f"{TOOLS_PREFIX}-{index}"
    return render(request, "assistants/_tool_row.html", {"row": tool, "new_total": index + 1, "prefix": TOOLS_PREFIX})
