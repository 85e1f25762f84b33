"""The sandbox account's webhook signing: Ed25519 over "{timestamp}|{body}", as Telnyx signs.

The key is settings.SANDBOX_WEBHOOK_SIGNING_KEY, so the portal can trust its public half
without reading the sandbox's tables."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings


def _private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(settings.SANDBOX_WEBHOOK_SIGNING_KEY))


def public_key_b64() -> str:
    raw = _private_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def sign(body: bytes, timestamp: str) -> str:
    """The `telnyx-signature-ed25519` header for `body` sent at `timestamp`."""
    return base64.b64encode(_private_key().sign(f"{timestamp}|".encode() + body)).decode()
