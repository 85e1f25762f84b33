"""MCP server pages: changelist (cached, synced from Telnyx), create, detail, edit, delete."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.audit import audit_events_for
from core.changelist import ChangelistSpec, Column
from core.export import ExportColumn
from core.forms import saved
from mcp_servers import selectors, services
from mcp_servers.forms import McpServerFilterForm, McpServerForm
from portal.roles import admin_required, read_required

LIST_TEMPLATE = "mcp_servers/mcp_list.html"
COLUMNS = [Column("name", "Name", "name"), Column("type", "Type", "type"), Column("created", "Created", "created_at")]


MCP_SERVERS = ChangelistSpec(
    template=LIST_TEMPLATE, queryset=selectors.mcp_servers, form_class=McpServerFilterForm, columns=COLUMNS,
    default_sort="name", resource=services.RESOURCE, remember_as="mcp_servers", list_url="mcp_servers:server-list",
    sync=services.mcp_servers_sync,
    form_kwargs=lambda: {"type_choices": [(t, t) for t in selectors.mcp_server_types()]},
    exports=[ExportColumn("Server id", "telnyx_id"), ExportColumn("Name", "name"), ExportColumn("Type", "type"),
             ExportColumn("URL", "url"), ExportColumn("Created", "created_at")],
)


mcp_list, mcp_refresh = MCP_SERVERS.views(read_required)


@require_http_methods(["GET", "POST"])
@admin_required
def mcp_create(request: HttpRequest) -> HttpResponse:
    form = McpServerForm(request.POST or None)
    ok, created = saved(request, form, lambda: services.mcp_server_create(
        user=request.user, data=form.to_body(), idempotency_key=form.cleaned_data["idempotency_key"]),
        message=lambda created: f"Created MCP server “{created.get('name')}”.")
    if ok:
        return redirect("mcp_servers:server-detail", server_id=created["id"])
    return render(request, "mcp_servers/mcp_form.html", {"form": form, "creating": True})


@require_GET
@read_required
def mcp_detail(request: HttpRequest, server_id: str) -> HttpResponse:
    result = services.mcp_server_fetch(user=request.user, server_id=server_id)
    events = audit_events_for(resource_type=services.RESOURCE_TYPE, resource_id=server_id)[:20]
    return render(request, "mcp_servers/mcp_detail.html", {"server": result.data, "result": result, "events": events})


@require_http_methods(["GET", "POST"])
@admin_required
def mcp_edit(request: HttpRequest, server_id: str) -> HttpResponse:
    server = services.mcp_server_fetch(user=request.user, server_id=server_id).data
    form = McpServerForm(request.POST or None, initial=McpServerForm.initial_from(server))
    if saved(request, form, lambda: services.mcp_server_update(user=request.user, server_id=server_id, data=form.to_body()),
             message=lambda _: f"Saved MCP server “{form.cleaned_data['name']}”.")[0]:
        return redirect("mcp_servers:server-detail", server_id=server_id)
    return render(request, "mcp_servers/mcp_form.html", {"form": form, "server": server})


@require_http_methods(["GET", "POST"])
@admin_required
def mcp_delete(request: HttpRequest, server_id: str) -> HttpResponse:
    name = selectors.mcp_server_name(server_id)
    return MCP_SERVERS.delete_page(request, "mcp_servers/mcp_confirm_delete.html", {"server_id": server_id, "name": name},
                                   noun="MCP server", name=name,
                                   act=lambda: services.mcp_server_delete(user=request.user, server_id=server_id))
