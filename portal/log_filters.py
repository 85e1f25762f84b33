"""Logging filters that keep the log at one line per event, at the level it deserves."""

from __future__ import annotations

import logging

SANDBOX_PREFIX = "/sandbox/"


class OneLinePerClientError(logging.Filter):
    """For `django.request`: a 4xx is the client's doing, so one line without a traceback
    (a 403 raised as PermissionDenied would otherwise print the whole stack). The sandbox's
    own 4xx answers are dropped: the Telnyx client already logged that call, with its status,
    in one line (so an expected 404, such as an assistant without a canary, is no warning)."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is None or status >= 500:
            return True
        request = getattr(record, "request", None)
        if getattr(request, "path", "").startswith(SANDBOX_PREFIX):
            return False
        record.exc_info = None
        record.exc_text = None
        return True
