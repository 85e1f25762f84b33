"""Site-wide pages: dashboard, audit log, search."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from functools import partial

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from assistants.services.assistants import RESOURCE as ASSISTANTS_RESOURCE
from assistants.services.assistants import assistants_sync
from assistants.services.canary import CANARIES
from assistants.services.versions import versions_resource, versions_sync
from console import dashboard as dashboard_selectors
from console.forms import AuditFilterForm
from console.search import MIN_LENGTH as MIN_SEARCH_LENGTH
from console.search import search_everything
from console.selectors import all_sync_states, audit_count, audit_days, audit_log, recent_audit_events, sync_states, sync_states_by_resource
from conversations.services import RESOURCE as CONVERSATIONS_RESOURCE
from core.background import sync_if_stale
from core.changelist import ChangelistSpec, Column
from core.export import Export, ExportColumn
from core.sync import is_stale, sync_state
from inference.services import MODELS_RESOURCE, models_sync
from portal.models import SyncState
from portal.roles import read_required
from testing.services.assistant_tests import RESOURCE as TESTS_RESOURCE

# Listings the dashboard counts, and how to refresh each when its cache is stale.
DASHBOARD_SYNCS = {ASSISTANTS_RESOURCE: assistants_sync, MODELS_RESOURCE: models_sync}

AUDIT_COLUMNS = [
    Column("when", "When", "created_at"),
    Column("who", "Who", "username"),
    Column("action", "Action", "action"),
]


def _versions_to_name(canaries, states: dict | None = None) -> list[str]:
    wanted = {versions_resource(c.assistant_id) for c in canaries if c.unnamed}
    states = sync_states_by_resource(wanted) if states is None else states

    def stale(assistant_id: str) -> bool:
        # A list whose last load failed is not retried from here on every view.
        state = states.get(versions_resource(assistant_id))
        return state is None or (is_stale(state) and not state.last_error)

    return dashboard_selectors.assistants_to_name(canaries, stale=stale)


def _dashboard_context(user, *, by_version: bool = False, queue_canary_sync: bool = False) -> dict:
    # A fixed number of queries (<= 15 on a first view), none over the conversations: the counts in
    # one, every sync state in one, the assistants once for both charts.
    cached = dashboard_selectors.tile_counts(timezone.now() - timedelta(days=7))
    states = all_sync_states()
    freshness = {state.resource: state for state in states}
    if queue_canary_sync:  # what Telnyx has as each assistant's canary, read on the worker
        sync_if_stale(CANARIES, state=freshness.get(CANARIES) or SyncState(resource=CANARIES))
    assistants = dashboard_selectors.assistant_rows()
    tiles = [
        ("Assistants", cached["assistants"], "assistants:assistant-list", ASSISTANTS_RESOURCE),
        ("Conversations", cached["conversations"], "conversations:conversation-list", CONVERSATIONS_RESOURCE),
        ("Assistant tests", cached["tests"], "testing:test-list", TESTS_RESOURCE),
        ("Models available", cached["models"], "inference:model-list", MODELS_RESOURCE),
    ]
    counts = [
        {"label": label, "value": value, "url": url, "synced_at": getattr(freshness.get(resource), "synced_at", None), "cached": True}
        for label, value, url, resource in tiles
    ]
    counts += [
        {"label": "Changes this week", "value": cached["changes"], "url": "audit"},
        {"label": "Failed changes this week", "value": cached["failures"], "url": "audit"},
    ]
    stale = any(is_stale(freshness.get(resource) or SyncState(resource=resource)) for resource in DASHBOARD_SYNCS)
    canaries = dashboard_selectors.canary_statuses(assistants=assistants)
    to_name = _versions_to_name(canaries, freshness)
    return {
        "to_name": to_name, "stale": stale or bool(to_name),
        "counts": counts, "syncs": sync_states(states), "events": recent_audit_events(user, 10),
        "by_version": by_version,
        "conversations_chart": dashboard_selectors.conversations_per_day(by_version=by_version, assistants=assistants),
        "pass_rate_chart": dashboard_selectors.suite_pass_rates(),
        "canaries": canaries,
        "failed_runs": dashboard_selectors.recent_failed_runs(),
        "failed_writes": dashboard_selectors.recent_failed_writes(),
    }


@require_GET
@read_required
def dashboard(request: HttpRequest) -> HttpResponse:
    by_version = request.GET.get("by") == "version"
    context = _dashboard_context(request.user, by_version=by_version, queue_canary_sync=True)
    return render(request, "console/dashboard.html", context)


@require_POST
@read_required
def dashboard_refresh(request: HttpRequest) -> HttpResponse:
    """Refresh the stale listings the dashboard counts, then re-render its overview."""
    for resource, sync in DASHBOARD_SYNCS.items():
        if is_stale(sync_state(resource)):
            sync()
    # Version lists nobody opened yet: load them so the canary bars name their versions.
    for assistant_id in _versions_to_name(dashboard_selectors.canary_statuses()):
        versions_sync(user=request.user, assistant_id=assistant_id)  # a failure is kept in its SyncState
    context = {**_dashboard_context(request.user, by_version=request.GET.get("by") == "version"), "stale": False}
    return render(request, "console/dashboard.html#overview", context)


# Not synced from Telnyx: the portal writes it, and every event bumps its generation.
AUDIT_LOG = ChangelistSpec(
    template="console/audit_list.html", queryset=None,  # per request: audit_log(request.user)
    form_class=AuditFilterForm, columns=AUDIT_COLUMNS, default_sort="-when", resource="audit", remember_as="audit",
    list_url="audit",
    # Exported to whoever reads the list, the same rows (the audit-visibility rule: audit_log).
    exports=Export(name="audit-log", columns=[
        ExportColumn("When", "created_at"), ExportColumn("Who", "username"), ExportColumn("Action", "action"),
        ExportColumn("Outcome", "outcome"), ExportColumn("Resource type", "resource_type"),
        ExportColumn("Resource id", "resource_id"), ExportColumn("Resource", "resource_label"),
        ExportColumn("Summary", "summary"), ExportColumn("Changes", "changes"),
        ExportColumn("Telnyx status", "telnyx_status"), ExportColumn("Telnyx request id", "telnyx_request_id"),
        ExportColumn("Error", "error_message"),
    ]),
)


@require_GET
@read_required
def audit_list(request: HttpRequest) -> HttpResponse:
    # The total and the filter choices come from the per-day counts (portal.audit_days), not the events.
    return replace(AUDIT_LOG, queryset=lambda: audit_log(request.user), count=partial(audit_count, request.user),
                   form_kwargs=lambda: {"events": audit_days(request.user)}).render(request)


@require_GET
@read_required
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One audit entry with its changes whole (lists show them cut short)."""
    event = get_object_or_404(audit_log(request.user), pk=pk)
    return render(request, "console/audit_detail.html", {"event": event})


@require_GET
@read_required
def search(request: HttpRequest) -> HttpResponse:
    """The top-bar search: every kind's matches from the cache, grouped, with counts."""
    term = request.GET.get("q", "")
    groups = search_everything(term)
    return render(request, "console/search.html", {
        "term": term.strip(), "groups": groups, "too_short": 0 < len(term.strip()) < MIN_SEARCH_LENGTH,
        "total": sum(g.count for g in groups), "any_capped": any(g.capped for g in groups),
    })
