"""The insights analytics page (`/conversations/insights/analytics/`): results per assistant,
version and template over time, from the store of insight results (no Telnyx call)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from conversations.insights import analytics, fields, version_aggregates
from conversations.insights import sync as insight_sync
from conversations.insights.forms import AnalyticsFilterForm
from conversations.models import InsightResult
from core.background import enqueue_listing_sync
from core.changelist import kept
from core.sync import sync_state
from portal.roles import read_required

DEFAULT_DAYS = 30


@require_GET
@read_required
def analytics_detail(request: HttpRequest) -> HttpResponse:
    def choices(name, compute):
        return kept(insight_sync.RESOURCE, name, compute, InsightResult)

    assistant_id = request.GET.get("assistant", "")
    today = timezone.localdate()
    params = request.GET.copy()  # the default range shows in the date boxes
    params.setdefault("until", today.isoformat())
    params.setdefault("since", (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat())
    form = AnalyticsFilterForm(
        params, template_choices=fields.template_choices(),
        assistant_choices=choices("assistants", analytics.assistant_choices),
        version_choices=choices(f"versions:{assistant_id}", lambda: analytics.version_choices(assistant_id)))
    form.is_valid()
    data = getattr(form, "cleaned_data", {}) or {}
    until = data.get("until") or today
    since = data.get("since") or until - timedelta(days=DEFAULT_DAYS - 1)
    template_choices = form.fields["template"].choices
    template_id = data.get("template") or (template_choices[0][0] if template_choices else "")
    result = per_version = None
    if template_id and not form.errors:
        result = analytics.insight_analytics(template_id=template_id, assistant_id=data.get("assistant") or "",
                                             version_id=data.get("version") or "", since=since, until=until)
        if data.get("assistant"):
            per_version = version_aggregates.versions_from_telnyx(
                assistant_id=data["assistant"], template_id=template_id, since=since, until=until)
    return render(request, "conversations/insights/analytics.html", {
        "form": form, "analytics": result, "since": since, "until": until, "kind": "analytics",
        "template_name": dict(template_choices).get(template_id, template_id), "template_id": template_id,
        "sync": sync_state(insight_sync.RESOURCE), "per_version": per_version,
        "version_labels": dict(form.fields["version"].choices),
    })


@require_POST
@read_required
def analytics_refresh(request: HttpRequest) -> HttpResponse:
    """Queue the insight sync (results of cached conversations not read yet) on a worker."""
    outcome = enqueue_listing_sync(insight_sync.RESOURCE)
    if getattr(outcome, "error", None):
        messages.error(request, f"Reading insight results stopped. {outcome.error.user_message}")
    elif getattr(outcome, "queued", False):
        messages.info(request, "Reading insight results from Telnyx in the background; reload in a while.")
    else:
        messages.success(request, "Insight results read from Telnyx.")
    query = request.GET.urlencode()
    return redirect(reverse("insights:analytics-detail") + (f"?{query}" if query else ""))
