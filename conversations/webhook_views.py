"""The endpoint Telnyx posts insight webhooks to: no login, no CSRF token, only verified bodies."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from conversations import insight_events, telnyx_webhooks


@csrf_exempt
@login_not_required
@require_POST
def telnyx_insights_webhook(request: HttpRequest) -> JsonResponse:
    """Verify, keep the event and answer at once; the worker applies it."""
    try:
        telnyx_webhooks.verify_signature(request.body, request.headers, key_b64=telnyx_webhooks.public_key())
        event = telnyx_webhooks.parse_event(request.body)
    except telnyx_webhooks.WebhookRejected as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    stored, created = insight_events.insight_event_receive(event)
    return JsonResponse({"received": stored.event_id, "duplicate": not created})
