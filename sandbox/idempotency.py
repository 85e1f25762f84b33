"""Idempotency-Key replay, as Telnyx does it: the same key on the same call within 24 hours
gets the first answer again instead of doing the work twice."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError
from django.http import HttpResponse
from django.utils import timezone

from sandbox.models import SbIdempotentResponse

KEEP_FOR = timedelta(hours=24)


def _key(request) -> str:
    return (request.headers.get("Idempotency-Key") or "").strip()[:255]


def replay(request) -> HttpResponse | None:
    """The stored answer for this request's key, or None if it must be handled afresh."""
    key = _key(request)
    if not key or request.method not in ("POST", "PUT"):
        return None
    stored = SbIdempotentResponse.objects.filter(
        key=key, method=request.method, path=request.path, created_at__gte=timezone.now() - KEEP_FOR
    ).first()
    if stored is None:
        return None
    response = HttpResponse(bytes(stored.body), status=stored.status, content_type=stored.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def remember(request, response: HttpResponse) -> None:
    """Keep a successful answer for replay (errors are not kept, so a retry can succeed)."""
    key = _key(request)
    if not key or request.method not in ("POST", "PUT") or response.status_code >= 400:
        return
    if getattr(response, "streaming", False):
        return
    try:
        SbIdempotentResponse.objects.create(
            key=key, method=request.method, path=request.path, status=response.status_code,
            content_type=response.get("Content-Type", "application/json"), body=response.content,
        )
    except IntegrityError:
        pass  # a concurrent twin stored it first; its answer stands
