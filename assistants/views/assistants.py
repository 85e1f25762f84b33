"""Assistant pages. Views parse input, check the role, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from assistants import selectors
from assistants.canary.display import canary_in_words
from assistants.forms.assistants import AssistantCreateForm, AssistantFilterForm
from assistants.services import assistants as services
from assistants.services import canary as canary_services
from assistants.services import lifecycle
from assistants.services.canary import RESOURCE_TYPE as CANARY_RESOURCE_TYPE
from assistants.services.tools import has_movable_inline_tools, shared_tool_links, webhook_tools
from core.background import sync_if_stale
from core.changelist import ChangelistSpec, Column, remembered_query
from core.changelist.history import object_history
from core.confirm import confirm_page, delete_each
from core.export import ExportColumn
from core.forms import written
from inference.services import form_model_choices
from portal.roles import admin_required, read_required

LIST_TEMPLATE = "assistants/assistant_list.html"
COLUMNS = [Column("name", "Name", "name"), Column("model", "Model", "model"), Column("created", "Created", "created_at"),
           Column("updated", "Updated", "updated_at")]
EXPORT = [ExportColumn("Assistant id", "telnyx_id"), ExportColumn("Name", "name"), ExportColumn("Model", "model"),
          ExportColumn("Description", "description"), ExportColumn("Instructions", "instructions"),
          ExportColumn("Tags", "tags_index", lambda tags: ", ".join(t for t in (tags or "").split("|") if t)),
          ExportColumn("Created", "created_at"), ExportColumn("Updated", "updated_at")]


ASSISTANTS = ChangelistSpec(
    template=LIST_TEMPLATE, queryset=selectors.assistant_queryset, form_class=AssistantFilterForm, columns=COLUMNS,
    default_sort="name", resource=services.RESOURCE, remember_as="assistants", list_url="assistants:assistant-list",
    sync=services.assistants_sync,
    form_kwargs=lambda: {
        "model_choices": selectors.assistant_model_filter_choices(),
        "tag_choices": selectors.assistant_tag_filter_choices(),
    },
    exports=EXPORT,
)
assistant_list, assistant_refresh = ASSISTANTS.views(read_required)


@require_GET
@read_required
def assistant_detail(request: HttpRequest, assistant_id: str) -> HttpResponse:
    # Telnyx errors with nothing cached (and 404s) become a clear page in TelnyxErrorMiddleware.
    result = services.assistant_fetch(user=request.user, assistant_id=assistant_id)
    canary, canary_read_at = canary_services.cached_canary(assistant_id)
    if canary_read_at is None and sync_if_stale(canary_services.CANARIES):  # never read: a worker reads them all
        canary, canary_read_at = canary_services.cached_canary(assistant_id)  # read already where tasks run inline
    return render(
        request,
        "assistants/assistant_detail.html",
        {"assistant": result.data, "result": result, "assistant_id": assistant_id,
         "webhook_tools": webhook_tools(result.data), "shared_tools": shared_tool_links(result.data),
         "movable_tools": has_movable_inline_tools(result.data), "canary": canary, "canary_read_at": canary_read_at,
         "canary_text": canary_in_words(canary, selectors.versions_of(assistant_id)) if canary and canary.exists else ""},
    )


@require_http_methods(["GET", "POST"])
@admin_required
def assistant_create(request: HttpRequest) -> HttpResponse:
    form = AssistantCreateForm(request.POST or None, model_choices=form_model_choices(),
                               known_tags=[tag for tag, _ in selectors.assistant_tag_filter_choices()])
    if request.method == "POST" and form.is_valid() and (created := written(form, lambda: services.assistant_create(
            user=request.user, data=form.to_body(), idempotency_key=form.cleaned_data["idempotency_key"]),
            renew_key=True)) is not None:
        messages.success(request, f"Created assistant “{created.get('name')}”.")
        return redirect("assistants:assistant-detail", assistant_id=created["id"])
    return render(request, "assistants/assistant_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@admin_required
def assistant_delete(request: HttpRequest, assistant_id: str) -> HttpResponse:
    assistant = selectors.assistant_or_placeholder(assistant_id)
    query = remembered_query(request, "assistants")
    # What the deletion takes with it (versions, canary deploy); unknown parts are left out.
    impact = lifecycle.delete_impact(user=request.user, assistant_id=assistant_id) if request.method == "GET" else None
    # Telnyx's hard delete skips the 30-day window; only a ticked box that says so asks for it.
    hard = request.method == "POST" and request.POST.get("hard_delete") == "yes"
    return confirm_page(
        request, "assistants/assistant_confirm_delete.html", {"assistant": assistant, "impact": impact},
        act=lambda: services.assistant_delete(user=request.user, assistant_id=assistant_id, hard=hard),
        done=(f"Permanently deleted assistant “{assistant.name}”. It cannot be restored." if hard
              else f"Deleted assistant “{assistant.name}”. Telnyx keeps it restorable for 30 days."),
        gone=f"“{assistant.name}” was already deleted in Telnyx; removed it from the list.",
        failed=f"Could not delete “{assistant.name}”.",
        then=reverse("assistants:assistant-list") + (f"?{query}" if query else ""))


HISTORY = object_history("assistants/assistant_history.html")


@require_GET
@read_required
def assistant_history(request: HttpRequest, assistant_id: str) -> HttpResponse:
    # Canary deploy changes are recorded under the assistant's id too.
    types = (services.RESOURCE_TYPE, CANARY_RESOURCE_TYPE)
    return HISTORY.page(request, {"assistant_id": assistant_id, "assistant_name": selectors.assistant_name(assistant_id)},
                        types, assistant_id)


@require_http_methods(["GET", "POST"])
@admin_required
def assistant_bulk_delete(request: HttpRequest) -> HttpResponse:
    """Delete the assistants ticked on the changelist, after a page listing every one of them."""
    ids = request.POST.getlist("id") if request.method == "POST" else request.GET.getlist("id")
    assistants = selectors.assistants_by_ids(ids)
    back = reverse("assistants:assistant-list") + (f"?{q}" if (q := remembered_query(request, "assistants")) else "")
    if not assistants:
        messages.warning(request, "Tick at least one assistant first.")
        return redirect(back)
    if request.method == "POST":
        deleted = delete_each(request, assistants,
                              lambda row: services.assistant_delete(user=request.user, assistant_id=row.telnyx_id))
        if deleted:
            messages.success(request, f"Deleted {deleted} assistant{'s' if deleted != 1 else ''}; "
                                      "Telnyx keeps them restorable for 30 days.")
        return redirect(back)
    return render(request, "assistants/assistant_bulk_delete.html", {"assistants": assistants})
