"""Clone, recently deleted and restore, import."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assistants.forms.lifecycle import AssistantCloneForm, AssistantImportForm
from assistants.services import assistants as assistant_services
from assistants.services import lifecycle as services
from core.changelist import PAGE_PARAM, ChangelistSpec, FilterForm, page_number
from core.changelist.live import ServedPage
from core.forms import add_telnyx_errors
from portal.roles import admin_required, read_required
from portal.telnyx import TelnyxError


@require_http_methods(["GET", "POST"])
@admin_required
def assistant_clone(request: HttpRequest, assistant_id: str) -> HttpResponse:
    assistant = assistant_services.assistant_fetch(user=request.user, assistant_id=assistant_id).data
    form = AssistantCloneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            clone = services.assistant_clone(user=request.user, assistant_id=assistant_id,
                                             idempotency_key=form.cleaned_data["idempotency_key"])
        except TelnyxError as exc:
            messages.error(request, f"Could not clone “{assistant.get('name')}”. {exc.user_message}")
            form.renew_key_if_refused(exc)
        else:
            messages.success(request, f"Cloned “{assistant.get('name')}” as “{clone.get('name')}”. "
                                      "Telephony and messaging settings were not copied.")
            return redirect("assistants:assistant-detail", assistant_id=clone["id"])
    return render(request, "assistants/assistant_confirm_clone.html",
                  {"assistant": assistant, "assistant_id": assistant_id, "form": form})


#: Read live, one page at a time as Telnyx pages it (nothing cached, no search or sort of ours).
DELETED = ChangelistSpec(template="assistants/assistant_deleted_list.html", queryset=lambda served: served,
                         form_class=FilterForm, columns=[], default_sort="")


@require_GET
@read_required
def deleted_list(request: HttpRequest) -> HttpResponse:
    # Not cached: if Telnyx fails, the page says why instead of listing.
    try:
        page = services.deleted_list(user=request.user, page=page_number(request.GET.get(PAGE_PARAM)))
    except TelnyxError as exc:
        served, error = ServedPage(items=[], number=1, total=0, size=services.DELETED_PAGE_SIZE), exc
    else:
        served, error = ServedPage(items=page.items, number=page.number, total=page.total, size=services.DELETED_PAGE_SIZE), None
    return DELETED.page(request, {"error": error, "empty": "Could not load the list from Telnyx." if error
                                  else "Nothing was deleted in the last 30 days."}, served)


@require_POST
@admin_required
def assistant_restore(request: HttpRequest, assistant_id: str) -> HttpResponse:
    label = request.POST.get("name", "")[:300]
    try:
        restored = services.assistant_restore(user=request.user, assistant_id=assistant_id, label=label)
    except TelnyxError as exc:
        messages.error(request, f"Could not restore “{label or assistant_id}”. {exc.user_message}")
        return redirect("assistants:deleted-list")
    messages.success(request, f"Restored “{restored.get('name')}”.")
    return redirect("assistants:assistant-detail", assistant_id=assistant_id)


@require_http_methods(["GET", "POST"])
@admin_required
def assistant_import(request: HttpRequest) -> HttpResponse:
    form = AssistantImportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            imported = services.assistants_import(
                user=request.user, provider=data["provider"], api_key_ref=data["api_key_ref"],
                import_ids=data["import_ids"], idempotency_key=data["idempotency_key"],
            )
        except TelnyxError as exc:
            add_telnyx_errors(form, exc)
            form.renew_key_if_refused(exc)
        else:
            names = ", ".join(f"“{a.get('name')}”" for a in imported) or "none"
            messages.success(request, f"Imported {len(imported)} assistant(s) from {data['provider']}: {names}.")
            return redirect("assistants:assistant-list")
    return render(request, "assistants/assistant_import_form.html", {"form": form})


@require_GET
@read_required
def assistant_json(request: HttpRequest, assistant_id: str) -> HttpResponse:
    """The assistant exactly as Telnyx returns it, formatted, with a copy button."""
    result = assistant_services.assistant_fetch(user=request.user, assistant_id=assistant_id)
    return render(request, "assistants/assistant_json.html",
                  {"assistant": result.data, "result": result, "assistant_id": assistant_id})


@require_GET
@read_required
def assistant_texml(request: HttpRequest, assistant_id: str) -> HttpResponse:
    """The TeXML that routes a call to this assistant, formatted, with a copy button."""
    texml = services.assistant_texml(user=request.user, assistant_id=assistant_id)
    assistant = assistant_services.assistant_fetch(user=request.user, assistant_id=assistant_id)
    return render(request, "assistants/assistant_texml.html",
                  {"texml": texml, "assistant": assistant.data, "result": assistant, "assistant_id": assistant_id})
