"""Idempotency-Key handling: the first response to a key is stored and replayed on retries.

Only 2xx and 4xx answers are remembered (a 5xx may be retried for real). Reusing a key with
a different body is a client error (422), as on most payment-style APIs.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from sandbox.models import SbIdempotentResponse

HEADER = "HTTP_IDEMPOTENCY_KEY"


class KeyReused(Exception):
    """The key came with another body: the API layer answers 422 (this module knows no envelope)."""


def _body_hash(request) -> str:
    return hashlib.sha256(request.body or b"").hexdigest()


def replay(request) -> HttpResponse | None:
    """The stored response for this request's key, if it was seen before."""
    key = request.META.get(HEADER)
    if not key or request.method != "POST":
        return None
    stored = SbIdempotentResponse.objects.filter(key=key, method=request.method, path=request.path).first()
    if stored is None:
        return None
    if stored.body_hash != _body_hash(request):
        raise KeyReused("This Idempotency-Key was already used with a different request body.")
    response = HttpResponse(bytes(stored.content), status=stored.status, content_type=stored.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def remember(request, response: HttpResponse) -> None:
    """Store ``response`` under the request's key (first writer wins)."""
    key = request.META.get(HEADER)
    if not key or request.method != "POST" or response.status_code >= 500 or response.streaming:
        return
    try:
        with transaction.atomic():
            SbIdempotentResponse.objects.create(
                key=key, method=request.method, path=request.path, body_hash=_body_hash(request),
                status=response.status_code, content=response.content,
                content_type=response.get("Content-Type", "application/json"), created_at=timezone.now())
    except IntegrityError:
        pass
