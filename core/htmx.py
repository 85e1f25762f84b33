"""HTMX response helpers shared by the apps."""

from __future__ import annotations

from django.shortcuts import render
from django_htmx.http import HttpResponseStopPolling


def is_htmx(request) -> bool:
    """`bool(request.htmx)`, read straight from the request's WSGI environ: django-htmx parses
    every header into `request.headers` first (9 µs, a kept list page's hottest line)."""
    return request.META.get("HTTP_HX_REQUEST") == "true"


def render_polled(request, template: str, context: dict, *, final: bool, fragment: str = "status"):
    """A page whose `#fragment` polls itself: HTMX gets the fragment, and HTTP 286 (stop
    polling) once the work it shows is final; a plain request gets the whole page."""
    if request.htmx:
        response = render(request, f"{template}#{fragment}", context)
        return HttpResponseStopPolling(response.content) if final else response
    return render(request, template, context)
