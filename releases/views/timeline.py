"""The assistant's release timeline: one page, newest first."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.roles import read_required
from releases import selectors
from releases.views.plans import _base


@require_GET
@read_required
def timeline(request: HttpRequest, assistant_id: str) -> HttpResponse:
    page, entries, labels = selectors.timeline_page(assistant_id, request.GET.get("page"))
    return render(request, "releases/timeline.html", {
        **_base(assistant_id), "page": page, "entries": entries, "labels": labels,
        "active_plan": selectors.active_plan(assistant_id),
    })
