"""Telnyx webhooks, checked the way Telnyx signs them.

Telnyx signs `"{telnyx-timestamp}|{raw body}"` with its account's Ed25519 key and sends the
signature base64-encoded in `telnyx-signature-ed25519`; the timestamp (Unix seconds) must be
within 5 minutes of now, or the delivery may be a replay. The public key is
`TELNYX_PUBLIC_KEY` (base64); in sandbox mode, the sandbox's own key when that is unset.
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.utils.dateparse import parse_datetime

from core import json_input
from portal.telnyx.webhook_keys import sandbox_public_key

SIGNATURE_HEADER = "telnyx-signature-ed25519"
TIMESTAMP_HEADER = "telnyx-timestamp"
# An insight event is a few KB; a body this long or nested deeper than json_input allows is refused.
WEBHOOK_MAX_BYTES = 256 * 1024


class WebhookRejected(Exception):
    """Why a delivery was refused, and the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 401):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class TelnyxEvent:
    id: str
    event_type: str
    occurred_at: datetime
    payload: dict


def public_key() -> str:
    """The base64 Ed25519 key deliveries must be signed with ("" when none is configured)."""
    if settings.TELNYX_PUBLIC_KEY:
        return settings.TELNYX_PUBLIC_KEY
    if settings.SANDBOX_MODE and settings.SANDBOX_ENABLED:
        return sandbox_public_key()
    return ""


def verify_signature(body: bytes, headers, *, key_b64: str, now: float | None = None) -> None:
    """Raise `WebhookRejected` unless `body` carries Telnyx's valid, fresh signature."""
    signature, timestamp = headers.get(SIGNATURE_HEADER), headers.get(TIMESTAMP_HEADER)
    if not signature or not timestamp:
        raise WebhookRejected(f"Missing the {SIGNATURE_HEADER} or {TIMESTAMP_HEADER} header.")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise WebhookRejected("The timestamp is not a Unix time.") from None
    if abs((now or time.time()) - sent_at) > settings.TELNYX_WEBHOOK_TOLERANCE_SECONDS:
        raise WebhookRejected("The timestamp is more than 5 minutes from now: refused as a possible replay.")
    if not key_b64:
        raise WebhookRejected("No TELNYX_PUBLIC_KEY is configured, so no delivery can be verified.", status=503)
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(key_b64, validate=True))
        key.verify(base64.b64decode(signature, validate=True), f"{timestamp}|".encode() + body)
    except (InvalidSignature, ValueError, binascii.Error):
        raise WebhookRejected("The signature does not match the body.") from None


def parse_event(body: bytes) -> TelnyxEvent:
    """The event in a verified body; `WebhookRejected` (400) if it is not a Telnyx event."""
    try:
        value = json_input.parse(body, max_bytes=WEBHOOK_MAX_BYTES)
    except json_input.JsonInputError as exc:
        raise WebhookRejected(f"The body is not a Telnyx event: {exc}", status=400) from None
    try:
        data = value["data"]
        event = TelnyxEvent(id=str(data["id"]), event_type=str(data["event_type"]),
                            occurred_at=parse_datetime(data["occurred_at"]), payload=data.get("payload") or {})
    except (ValueError, KeyError, TypeError):
        raise WebhookRejected("The body is not a Telnyx event (data.id, data.event_type, data.occurred_at).", status=400) from None
    if not event.id or event.occurred_at is None or event.occurred_at.tzinfo is None or not isinstance(event.payload, dict):
        raise WebhookRejected("The event's id, time or payload is malformed.", status=400)
    return event
