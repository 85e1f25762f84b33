"""The Tools section: the shared tool library (changelist, add, detail with "used by", change,
delete), attaching and detaching tools on assistants, and moving an assistant's inline tools
into the library in one step."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assistants.hooks import LiveEditRefused
from core.audit import audit_events_for
from core.changelist import ChangelistSpec
from core.forms import add_telnyx_errors, form_page
from portal.roles import admin_required, read_required
from portal.telnyx import TelnyxError, new_idempotency_key
from shared_tools import selectors, services
from shared_tools.definitions import definition_form, settings_kind
from shared_tools.forms import COLUMNS, DEFAULT_SORT, AttachForm, MoveForm, SharedToolFilterForm, SharedToolForm
from shared_tools.services import TOOL_TYPES

LIST_TEMPLATE = "shared_tools/tool_list.html"
FORM_TEMPLATE = "shared_tools/tool_form.html"

SHARED_TOOLS = ChangelistSpec(
    template=LIST_TEMPLATE, queryset=selectors.shared_tools, form_class=SharedToolFilterForm, columns=COLUMNS,
    default_sort=DEFAULT_SORT, resource=services.RESOURCE, remember_as="shared_tools", list_url="shared_tools:tool-list",
    sync=services.shared_tools_sync,
    form_kwargs=lambda: {"type_choices": [(t, t) for t in selectors.shared_tool_types()]},
    count=SharedToolFilterForm.count,  # a search's total from its kept probe: no count query, "1,000+ results" past the cap
)

tool_list, tool_refresh = SHARED_TOOLS.views(read_required)


def _settings_form(kind: str, data=None, original: dict | None = None):
    """The type's own settings form, with the pickers' choices from the cache."""
    assistants = selectors.assistant_choices() if kind == "handoff" else ()
    buckets = selectors.bucket_names() if kind == "retrieval" else ()
    return definition_form(kind, data, original=original, assistants=assistants, buckets=buckets)


def _form_context(settings, **context) -> dict:
    """What the tool form shows beside its form: the type's settings form, and the types to choose from."""
    return {"settings": settings, "kind": settings_kind(settings), "kinds": TOOL_TYPES, **context}


def _detail(tool_id: str) -> str:
    return reverse("shared_tools:tool-detail", args=[tool_id])


@require_http_methods(["GET", "POST"])
@admin_required
def tool_create(request: HttpRequest) -> HttpResponse:
    asked = request.POST.get("type") or request.GET.get("type") or ""
    kind = asked if asked in TOOL_TYPES else "webhook"
    if request.method == "POST" and ("choose_type" in request.POST or request.POST.get("shown_type") != kind):
        # Another type was chosen: show its settings, keeping the name and timeout typed so far.
        kept = {"display_name": request.POST.get("display_name", ""), "type": kind, "timeout_ms": request.POST.get("timeout_ms")}
        return render(request, FORM_TEMPLATE, {"form": SharedToolForm(initial=kept), **_form_context(_settings_form(kind), creating=True)})
    form = SharedToolForm(request.POST or None, initial={"type": kind})
    settings = _settings_form(kind, request.POST or None)
    return form_page(request, form, FORM_TEMPLATE, _form_context(settings, creating=True), also=(settings,), save=lambda: services.tool_create(
        user=request.user, data=form.to_body(settings.definition()), idempotency_key=form.cleaned_data["idempotency_key"]),
        message=lambda created: f"Created shared tool “{created.get('display_name')}”.", then=lambda created: _detail(created["id"]),
        renew_key=True)


@require_GET
@read_required
def tool_detail(request: HttpRequest, tool_id: str) -> HttpResponse:
    result = services.tool_fetch(user=request.user, tool_id=tool_id)
    used_by = selectors.assistants_using(tool_id)
    using = {a.telnyx_id for a in used_by}
    attach_form = AttachForm(choices=[c for c in selectors.assistant_choices() if c[0] not in using])
    events = audit_events_for(resource_type=services.RESOURCE_TYPE, resource_id=tool_id)[:20]
    return render(request, "shared_tools/tool_detail.html", {
        "tool": result.data, "result": result, "used_by": used_by, "attach_form": attach_form, "events": events,
        "definition": json.dumps(result.data.get("tool_definition") or {}, indent=2),
        "is_webhook": result.data.get("type") == "webhook"})


@require_http_methods(["GET", "POST"])
@admin_required
def tool_change(request: HttpRequest, tool_id: str) -> HttpResponse:
    tool = services.tool_fetch(user=request.user, tool_id=tool_id).data
    kind = tool.get("type") if tool.get("type") in TOOL_TYPES else ""
    form = SharedToolForm(request.POST or None, initial=SharedToolForm.initial_from(tool), fixed_type=kind)
    if not kind:  # a type this portal does not know: nothing to edit it with, and nothing is guessed
        messages.error(request, f"This tool's type “{tool.get('type')}” is not one the portal can edit.")
        return redirect("shared_tools:tool-detail", tool_id=tool_id)
    stored = tool.get("tool_definition") if isinstance(tool.get("tool_definition"), dict) else {}
    settings = _settings_form(kind, request.POST or None, original=stored)
    return form_page(request, form, FORM_TEMPLATE, _form_context(settings, tool=tool), also=(settings,),
                     save=lambda: services.tool_update(user=request.user, tool_id=tool_id, data=form.to_body(settings.definition())),
                     message=lambda _: f"Saved shared tool “{form.cleaned_data['display_name']}”.", then=lambda _: _detail(tool_id),
                     refusals=(LiveEditRefused,))


@require_http_methods(["GET", "POST"])
@admin_required
def tool_delete(request: HttpRequest, tool_id: str) -> HttpResponse:
    name = selectors.shared_tool_name(tool_id)
    try:
        services.refuse_if_used_under_approval(tool_id, "Deleting this shared tool")
    except LiveEditRefused as refused:
        messages.error(request, str(refused))
        return redirect("shared_tools:tool-detail", tool_id=tool_id)
    return SHARED_TOOLS.delete_page(
        request, "shared_tools/tool_confirm_delete.html",
        {"tool_id": tool_id, "name": name, "used_by": selectors.assistants_using(tool_id)}, noun="shared tool", name=name,
        act=lambda: services.tool_delete(user=request.user, tool_id=tool_id))


@require_POST
@admin_required
def tool_attach(request: HttpRequest, tool_id: str) -> HttpResponse:
    """Attach (`assistant_id` from the picker) or detach (`detach` = the assistant's id)."""
    detach = request.POST.get("detach", "")
    choices = dict(selectors.assistant_choices())
    assistant_id = detach or request.POST.get("assistant_id", "")
    if assistant_id not in choices:
        messages.error(request, "Choose an assistant from the list.")
        return redirect("shared_tools:tool-detail", tool_id=tool_id)
    name = choices[assistant_id]
    try:
        services.tool_attach(user=request.user, assistant_id=assistant_id, tool_id=tool_id, attach=not detach,
                             assistant_label=name)
    except LiveEditRefused as refused:
        messages.error(request, str(refused))
    except TelnyxError as exc:
        messages.error(request, f"Could not {'detach' if detach else 'attach'} the tool: {exc.user_message}")
    else:
        messages.success(request, f"{'Detached from' if detach else 'Attached to'} “{name}”.")
    return redirect("shared_tools:tool-detail", tool_id=tool_id)


@require_http_methods(["GET", "POST"])
@admin_required
def move_inline(request: HttpRequest, assistant_id: str) -> HttpResponse:
    """Move an assistant's inline tools into the library: one confirmation, one new version."""
    name, inline = selectors.inline_tools(assistant_id)
    movable = [t for t in inline if services.movable(t)]
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and movable:
        existing = selectors.assistant_tool_ids(assistant_id)
        try:
            created = services.move_inline_tools(
                user=request.user, assistant_id=assistant_id, inline=inline, existing_ids=existing,
                idempotency_key=form.cleaned_data["idempotency_key"] or new_idempotency_key(), assistant_label=name)
        except LiveEditRefused as refused:
            form.add_error(None, str(refused))
        except TelnyxError as exc:
            add_telnyx_errors(form, exc)
        else:
            messages.success(request, f"Moved {len(created)} tool{'s' if len(created) != 1 else ''} of “{name}” into the shared library.")
            return redirect("shared_tools:tool-list")
    return render(request, "shared_tools/move_inline.html", {
        "form": form, "assistant_id": assistant_id, "name": name, "movable": movable,
        "staying": [t for t in inline if not services.movable(t)]})
