"""A safety net: a Telnyx error a view did not handle becomes a clear page, never a 500."""

from __future__ import annotations

import logging

from django.shortcuts import render

from portal.telnyx import TelnyxError

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
        status = 404 if exception.status == 404 else 502
        template = "telnyx_error.html"
        if getattr(request, "htmx", False):
            template = "telnyx_error.html#error-banner"
        return render(request, template, {"error": exception}, status=status)
