"""A safety net: a Telnyx error a view did not handle becomes a clear page, never a 500."""

from __future__ import annotations

import logging

from django.shortcuts import render

from portal.telnyx import TelnyxError
from portal.telnyx.errors import RateLimitError

logger = logging.getLogger(__name__)


class TelnyxErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, TelnyxError):
            return None
        logger.warning("unhandled Telnyx error on %s: %s", request.path, exception)
        # 429: the service is briefly unavailable to us, come back later (Retry-After).
        status = 404 if exception.status == 404 else 503 if isinstance(exception, RateLimitError) else 502
        template = "telnyx_error.html"
        if getattr(request, "htmx", False):
            template = "telnyx_error.html#error-banner"
        response = render(request, template, {"error": exception}, status=status)
        if status == 503:
            response["Retry-After"] = str(max(1, round(exception.retry_after or 5)))
        # The warning above is this event's one line: django.request need not add another.
        response._has_been_logged = True
        return response
