"""Portal-wide pages: dashboard, audit log, placeholders for sections still to come."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from assistants.models import Assistant
from assistants.services.assistants import RESOURCE as ASSISTANTS_RESOURCE
from assistants.services.assistants import assistants_sync
from conversations.models import Conversation
from inference.models import LanguageModel
from testing.models import AssistantTest
from inference.services import MODELS_RESOURCE, models_sync
from core.changelist import Column, build_changelist, remember_query
from portal.forms import AuditFilterForm
from portal.models import AuditEvent
from portal.roles import read_required
from portal.selectors import recent_audit_events, sync_states
from core.sync import is_stale, sync_state

# Listings the dashboard counts, and how to refresh each when its cache is stale.
DASHBOARD_SYNCS = {ASSISTANTS_RESOURCE: assistants_sync, MODELS_RESOURCE: models_sync}

AUDIT_COLUMNS = [
    Column("when", "When", "created_at"),
    Column("who", "Who", "username"),
    Column("action", "Action", "action"),
]


def _dashboard_context() -> dict:
    week_ago = timezone.now() - timedelta(days=7)
    counts = [
        {"label": "Assistants", "value": Assistant.objects.count(), "url": "assistants:list"},
        {
            "label": "Conversations",
            "value": Conversation.objects.count(),
            "url": "conversations:list",
            # Conversations sync in steps on their own page, not from here.
            "hint": "" if sync_state("conversations").synced_at else "not loaded yet: open to load",
        },
        {"label": "Assistant tests", "value": AssistantTest.objects.count(), "url": "testing:test-list"},
        {"label": "Models available", "value": LanguageModel.objects.count(), "url": "inference:models"},
        {"label": "Changes this week", "value": AuditEvent.objects.filter(created_at__gte=week_ago).count(), "url": "audit"},
        {
            "label": "Failed changes this week",
            "value": AuditEvent.objects.filter(created_at__gte=week_ago, outcome=AuditEvent.Outcome.FAILURE).count(),
            "url": "audit",
        },
    ]
    syncs = sync_states()
    stale = any(is_stale(sync_state(resource)) for resource in DASHBOARD_SYNCS)
    return {"counts": counts, "syncs": syncs, "events": recent_audit_events(10), "stale": stale}


@require_GET
@read_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/dashboard.html", _dashboard_context())


@require_POST
@read_required
def dashboard_refresh(request: HttpRequest) -> HttpResponse:
    """Refresh the stale listings the dashboard counts, then re-render its overview."""
    for resource, sync in DASHBOARD_SYNCS.items():
        if is_stale(sync_state(resource)):
            sync()
    context = {**_dashboard_context(), "stale": False}
    return render(request, "portal/dashboard.html#overview", context)


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
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One audit entry with its changes whole (lists show them cut short)."""
    event = get_object_or_404(AuditEvent, pk=pk)
    return render(request, "portal/audit_detail.html", {"event": event})


@require_GET
@read_required
def coming_soon(request: HttpRequest, section: str) -> HttpResponse:
    return render(request, "portal/coming_soon.html", {"section": section.replace("-", " ")})


def login_locked_out(request: HttpRequest, credentials: dict, *args, **kwargs) -> HttpResponse:
    """What a locked-out login sees (django-axes' AXES_LOCKOUT_CALLABLE): the login page with
    a message saying why and for how long, status 429."""
    from django.conf import settings
    from django.contrib.auth.forms import AuthenticationForm

    form = AuthenticationForm(request, initial={"username": (credentials or {}).get("username", "")})
    context = {
        "form": form,
        "locked_out": True,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "next": request.POST.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)
