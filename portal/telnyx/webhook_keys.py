"""The Ed25519 key webhooks are verified with, where the portal knows it without asking Telnyx."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings


def public_half(private_b64: str) -> str:
    """The base64 raw public key of a base64 raw Ed25519 private key."""
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_b64))
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def sandbox_public_key() -> str:
    """The built-in sandbox's public key (settings.SANDBOX_WEBHOOK_SIGNING_KEY's public half)."""
    return public_half(settings.SANDBOX_WEBHOOK_SIGNING_KEY)
