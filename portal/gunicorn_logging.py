"""gunicorn's access log without the sandbox's requests: in sandbox mode the portal calls its
own /sandbox/v2/ over HTTP, and the Telnyx client already logs each of those calls in one
line (`portal.telnyx`), so the access line would be a second line for the same event."""

from __future__ import annotations

from gunicorn.glogging import Logger

from portal.log_filters import SANDBOX_PREFIX


class AccessLogWithoutSandbox(Logger):
    def access(self, resp, req, environ, request_time):
        if environ.get("PATH_INFO", "").startswith(SANDBOX_PREFIX):
            return
        super().access(resp, req, environ, request_time)
