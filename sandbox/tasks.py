"""The sandbox's background work: posting signed webhooks, as Telnyx does, with retries."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

from celery import shared_task

from sandbox.behaviour.signing import sign
from sandbox.behaviour.webhook_targets import webhook_allowed

# Telnyx retries a webhook the receiver did not accept; the sandbox does the same, briefly.
ATTEMPTS = 3


@shared_task(bind=True, label="Sandbox: send a webhook to {0}", max_retries=ATTEMPTS - 1)
def send_signed_webhook(self, url: str, body: str) -> int:
    """Sign `body` now (a fresh timestamp on every attempt) and POST it to `url`.

    Checked again here, at sending time: the allow-list may have changed since it was queued."""
    if not webhook_allowed(url):
        return 0
    timestamp = str(int(time.time()))
    data = body.encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json", "telnyx-timestamp": timestamp,
        "telnyx-signature-ed25519": sign(data, timestamp), "User-Agent": "telnyx-webhooks (sandbox)"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (on the allow-list)
            return response.status
    except (urllib.error.URLError, TimeoutError) as exc:
        raise self.retry(exc=exc, countdown=5) from exc
