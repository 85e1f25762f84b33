"""Insight templates and groups pages (`/conversations/insights/`)."""

from __future__ import annotations

import json
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from conversations.insights import selectors, services, signatures
from conversations.insights.forms import GroupFilterForm, GroupForm, TemplateFilterForm, TemplateForm
from core.changelist import ChangelistSpec, Column
from core.confirm import confirm_page
from core.export import ExportColumn
from core.forms import written
from portal.roles import ADMINISTER, admin_required, read_required
from portal.telnyx import TelnyxError

TEMPLATE_COLUMNS = [Column("name", "Name", "name"), Column("type", "Type", "insight_type"), Column("created", "Created", "created_at")]
KINDS = ("templates", "groups")
EXPORTS = {
    "templates": [ExportColumn("Template id", "telnyx_id"), ExportColumn("Name", "name"),
                  ExportColumn("Type", "insight_type"), ExportColumn("Instructions", "instructions"),
                  ExportColumn("Created", "created_at")],
    "groups": [ExportColumn("Group id", "telnyx_id"), ExportColumn("Name", "name"),
               ExportColumn("Description", "description"), ExportColumn("Templates", "template_count"),
               ExportColumn("Created", "created_at")],
}
GROUP_COLUMNS = [Column("name", "Name", "name"), Column("templates", "Templates", "template_count"), Column("created", "Created", "created_at")]


def _spec(kind: str, form_class, columns, resource: str, sync, list_url: str) -> ChangelistSpec:
    return ChangelistSpec(
        template="conversations/insights/list.html", queryset=lambda: selectors.queryset(kind), form_class=form_class,
        columns=columns, default_sort="name", resource=resource, remember_as=f"insights-{kind}", list_url=list_url,
        sync=sync, exports=EXPORTS[kind], vary=lambda state: {"kind": kind},  # the page's title names the kind
    )


LISTS = {
    "templates": _spec("templates", TemplateFilterForm, TEMPLATE_COLUMNS, services.TEMPLATES, services.templates_sync,
                       "insights:template-list"),
    "groups": _spec("groups", GroupFilterForm, GROUP_COLUMNS, services.GROUPS, services.groups_sync,
                    "insights:group-list"),
}
template_list = LISTS["templates"].list_view(read_required)
group_list = LISTS["groups"].list_view(read_required)


@require_POST
@read_required
def refresh(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in LISTS:
        raise Http404
    return LISTS[kind].refresh(request)


@require_http_methods(["GET", "POST"])
@read_required
def template_detail(request: HttpRequest, template_id: str = "") -> HttpResponse:
    """Create (no id) or view and edit a template; only Admins may save."""
    if request.method == "POST" and not request.user.has_perm(ADMINISTER):
        raise PermissionDenied
    # An id in the URL is an existing template: read it (live, else the cache, else 404), never
    # offer an empty "Add" form at its address whose save would overwrite it.
    result = services.template_fetch(template_id=template_id) if template_id else None
    row = selectors.cached("templates", template_id)
    initial = {}
    if row:
        schema = row.payload.get("json_schema")
        initial = {"name": row.name, "instructions": row.instructions, "webhook": row.payload.get("webhook") or "",
                   "json_schema": json.dumps(schema, indent=2) if isinstance(schema, dict) else (schema or "")}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and (saved := written(form, lambda: services.template_save(
            user=request.user, data=form.to_body(), template_id=template_id,
            idempotency_key=form.cleaned_data["idempotency_key"]))):
        messages.success(request, f"Saved insight template “{saved.name}”.")
        return redirect("insights:template-detail", template_id=saved.telnyx_id)
    return render(request, "conversations/insights/template_form.html", {"form": form, "row": row, "template_id": template_id,
                                                                          "result": result})


@require_http_methods(["GET", "POST"])
@read_required
def group_detail(request: HttpRequest, group_id: str = "") -> HttpResponse:
    """Create (no id) or view and edit a group and its templates; only Admins may change."""
    if request.method == "POST" and not request.user.has_perm(ADMINISTER):
        raise PermissionDenied
    group, error = None, None
    if group_id:
        try:
            group = services.group_fetch(group_id=group_id)
        except TelnyxError as exc:
            group, error = selectors.cached("groups", group_id), exc
            if group is None:
                raise
    initial = {"name": group.name, "description": group.description, "webhook": group.payload.get("webhook") or ""} if group else {}
    form = GroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and (saved := written(form, lambda: services.group_save(
            user=request.user, data=form.to_body(), group_id=group_id, idempotency_key=form.cleaned_data["idempotency_key"]))):
        messages.success(request, f"Saved insight group “{saved.name}”.")
        return redirect("insights:group-detail", group_id=saved.telnyx_id)
    assigned = (group.payload.get("insights") or []) if group else []
    assigned_ids = {t.get("id") for t in assigned}
    available = selectors.templates_outside(assigned_ids)
    return render(request, "conversations/insights/group_form.html",
                  {"form": form, "group": group, "group_id": group_id, "assigned": assigned, "available": available,
                   "error": error, **_webhook_context()})


def _webhook_context() -> dict:
    """The endpoint to paste into Telnyx, the key it verifies with in sandbox mode, and the latest events."""
    url = settings.PORTAL_BASE_URL.rstrip("/") + reverse("telnyx-insights-webhook")
    sandbox_key = signatures.public_key() if settings.SANDBOX_MODE and not settings.TELNYX_PUBLIC_KEY else ""
    return {"webhook_endpoint": url, "sandbox_public_key": sandbox_key,
            "webhook_key_missing": not settings.TELNYX_PUBLIC_KEY and not sandbox_key,
            "insight_events": selectors.recent_insight_events()}


@require_POST
@admin_required
def group_assign(request: HttpRequest, group_id: str) -> HttpResponse:
    assign = request.POST.get("action", "assign") == "assign"
    template_id = request.POST.get("template_id", "")
    try:
        services.group_assign(user=request.user, group_id=group_id, template_id=template_id, assign=assign)
    except TelnyxError as exc:
        messages.error(request, f"Could not {'assign' if assign else 'unassign'} the template. {exc.user_message}")
    else:
        messages.success(request, "Template assigned to the group." if assign else "Template taken out of the group.")
    return redirect("insights:group-detail", group_id=group_id)


@require_http_methods(["GET", "POST"])
@admin_required
def delete(request: HttpRequest, kind: str, object_id: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    row = selectors.cached(kind, object_id)
    label = str(row) if row else object_id
    if kind == "groups":
        act, then = lambda: services.group_delete(user=request.user, group_id=object_id), "insights:group-list"
    else:
        act, then = lambda: services.template_delete(user=request.user, template_id=object_id), "insights:template-list"
    return confirm_page(request, "conversations/insights/confirm_delete.html",
                        {"label": label, "kind": kind, "object_id": object_id},
                        act=act, done=f"Deleted “{label}”.", failed=f"Could not delete “{label}”.", then=reverse(then))


@read_required
@require_GET
def moved(request: HttpRequest, rest: str = "") -> HttpResponse:
    """The old `/insights/…` address: a permanent redirect to the same page under `/conversations/insights/`."""
    target = reverse("insights:template-list") + quote(rest)
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
