"""The assistant change form: Save (new main version) or Save as new version (not live)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from inference.services import form_model_choices
from portal.roles import admin_required
from portal.telnyx import TelnyxError

from assistants import selectors
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
from assistants.services import assistants as services
from assistants.services import change

FORM_TEMPLATE = "assistants/assistant_change_form.html"


def change_forms(request: HttpRequest, payload: dict) -> tuple[AssistantChangeForm, object]:
    """The settings form and tool rows for `payload`, bound to the POST if there is one."""
    data = request.POST if request.method == "POST" else None
    form = AssistantChangeForm(
        data, initial=AssistantChangeForm.initial_from(payload),
        model_choices=form_model_choices(), current_model=str(payload.get("model") or ""),
    )
    return form, tool_formset(data, tools=payload.get("tools") or [])


def form_context(payload: dict, form, tools) -> dict:
    return {
        "form": form, "tools": tools, "tool_types": TOOL_TYPES, "payload": payload,
        "shared_tools": shared_tools(payload.get("tools") or []),
        "unmodeled": unmodeled_settings(payload),
    }


@require_http_methods(["GET", "POST"])
@admin_required
def assistant_change(request: HttpRequest, assistant_id: str) -> HttpResponse:
    result = services.assistant_fetch(user=request.user, assistant_id=assistant_id)
    assistant = result.data
    form, tools = change_forms(request, assistant)
    if request.method == "POST" and form.is_valid() and tools.is_valid():
        as_version = "save_as_version" in request.POST
        changes = {**form.settings_body(assistant), **tools_body(tools, assistant)}
        if not changes and not as_version:
            messages.info(request, "Nothing changed, so no new version was saved.")
            return redirect("assistants:detail", assistant_id=assistant_id)
        try:
            saved = change.assistant_update(
                user=request.user, assistant_id=assistant_id, changes=changes, before=assistant,
                promote_to_main=not as_version, version_name=form.cleaned_data["version_name"],
            )
        except TelnyxError as exc:
            place_telnyx_errors(form, tools, exc)
        else:
            if as_version:
                messages.success(request, f"Saved new version “{saved.get('version_name') or saved.get('version_id')}”. "
                                          "It is not live: compare it with main, then promote it.")
                return redirect("assistants:versions", assistant_id=assistant_id)
            messages.success(request, f"Saved “{saved.get('name')}”. The new version is now main.")
            return redirect("assistants:detail", assistant_id=assistant_id)
    context = {**form_context(assistant, form, tools), "assistant": assistant, "assistant_id": assistant_id,
               "result": result, "tab": "change", "pruned": selectors.version_pruned_by_next_save(assistant_id)}
    return render(request, FORM_TEMPLATE, context)


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
