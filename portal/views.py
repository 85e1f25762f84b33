"""Portal-wide pages: dashboard, audit log, placeholders for sections still to come."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from assistants.models import Assistant
from inference.models import LanguageModel
from portal.changelist import Column, build_changelist, remember_query
from portal.forms import AuditFilterForm
from portal.models import AuditEvent
from portal.roles import read_required
from portal.selectors import recent_audit_events, sync_states

AUDIT_COLUMNS = [
    Column("when", "When", "created_at"),
    Column("who", "Who", "username"),
    Column("action", "Action", "action"),
]


@require_GET
@read_required
def dashboard(request: HttpRequest) -> HttpResponse:
    week_ago = timezone.now() - timedelta(days=7)
    counts = [
        {"label": "Assistants", "value": Assistant.objects.count(), "url": "assistants:list"},
        {"label": "Models available", "value": LanguageModel.objects.count(), "url": None},
        {"label": "Changes this week", "value": AuditEvent.objects.filter(created_at__gte=week_ago).count(), "url": "audit"},
        {
            "label": "Failed changes this week",
            "value": AuditEvent.objects.filter(created_at__gte=week_ago, outcome=AuditEvent.Outcome.FAILURE).count(),
            "url": "audit",
        },
    ]
    return render(
        request,
        "portal/dashboard.html",
        {"counts": counts, "syncs": sync_states(), "events": recent_audit_events(10)},
    )


@require_GET
@read_required
def audit_list(request: HttpRequest) -> HttpResponse:
    remember_query(request, "audit")
    changelist = build_changelist(
        request, AuditEvent.objects.select_related("user"), AuditFilterForm, AUDIT_COLUMNS, default_sort="-when"
    )
    template = "portal/audit_list.html#table" if request.htmx else "portal/audit_list.html"
    return render(request, template, {"cl": changelist})


@require_GET
@read_required
def coming_soon(request: HttpRequest, section: str) -> HttpResponse:
    return render(request, "portal/coming_soon.html", {"section": section.replace("-", " ")})
