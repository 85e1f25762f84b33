"""The endpoint Telnyx posts insight webhooks to: no login, no CSRF token, only verified bodies."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from conversations.insights import events, signatures


@csrf_exempt
@login_not_required
@require_POST
def telnyx_insights_webhook(request: HttpRequest) -> JsonResponse:
    """Verify, keep the event and answer at once; the worker applies it."""
    try:
        signatures.verify_signature(request.body, request.headers, key_b64=signatures.public_key())
        event = signatures.parse_event(request.body)
    except signatures.WebhookRejected as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    stored, created = events.insight_event_receive(event)
    return JsonResponse({"received": stored.event_id, "duplicate": not created})
