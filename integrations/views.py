"""Integration pages: the catalogue with the account's connections, details, disconnect."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.changelist import ChangelistSpec, Column
from core.confirm import confirm_page
from integrations import selectors, services
from integrations.forms import IntegrationFilterForm
from portal.roles import admin_required, read_required
from portal.telnyx import TelnyxError

#: Read live from Telnyx (nothing cached): the view reads the catalogue and the spec pages it.
CATALOGUE = ChangelistSpec(
    template="integrations/integration_list.html", queryset=lambda catalogue: catalogue, form_class=IntegrationFilterForm,
    columns=[Column("name", "Integration", "label"), Column("status", "Status", "status"),
             Column("tools", "Tools", "available_tools")],
    default_sort="name",
)


@require_GET
@read_required
def integration_list(request: HttpRequest) -> HttpResponse:
    # Both lists are read live (nothing is cached): if Telnyx fails, the page says why. The
    # catalogue is searched, filtered, sorted and paged here, so the page stays one page long.
    try:
        catalogue = services.integration_catalogue(user=request.user)
        found = services.connections(user=request.user)
    except TelnyxError as exc:
        catalogue, found, error = [], [], exc
    else:
        error = None
        services.keep_offers(found, catalogue)  # fresh: the assistant change form's picker shows them at once
    catalogue = [{**i, "label": i.get("display_name") or i.get("name") or i.get("id")} for i in catalogue]
    names = {i.get("id"): i["label"] for i in catalogue}
    user_connections = [{**c, "integration_name": names.get(c.get("integration_id"), c.get("integration_id"))}
                        for c in found]
    return CATALOGUE.page(request, {"connections": user_connections, "error": error}, catalogue)


@require_GET
@read_required
def integration_detail(request: HttpRequest, integration_id: str) -> HttpResponse:
    integration = services.integration_fetch(user=request.user, integration_id=integration_id)
    linked = [c for c in services.connections(user=request.user) if c.get("integration_id") == integration.get("id")]
    return render(request, "integrations/integration_detail.html", {"integration": integration, "connections": linked})


@require_GET
@read_required
def connection_detail(request: HttpRequest, connection_id: str) -> HttpResponse:
    connection = services.connection_fetch(user=request.user, connection_id=connection_id)
    integration = services.integration_fetch(user=request.user, integration_id=connection.get("integration_id", ""))
    return render(request, "integrations/connection_detail.html", {
        "connection": connection, "integration": integration, "events": selectors.connection_events(connection_id)})


@require_http_methods(["GET", "POST"])
@admin_required
def connection_delete(request: HttpRequest, connection_id: str) -> HttpResponse:
    # The integration's name from Telnyx (never a label passed in the URL); its id if Telnyx cannot say.
    label = services.connection_label(user=request.user, connection_id=connection_id)
    return confirm_page(
        request, "integrations/connection_confirm_delete.html", {"connection_id": connection_id, "label": label},
        act=lambda: services.connection_delete(user=request.user, connection_id=connection_id, label=label),
        done=f"Deleted the connection to {label}.", gone="That connection was already gone in Telnyx.",
        failed="Could not delete the connection.", then=reverse("integrations:integration-list"))
