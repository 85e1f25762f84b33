"""The sandbox account's webhook signing key: Ed25519 over "{timestamp}|{body}", as Telnyx signs."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import IntegrityError, transaction

from sandbox.models import SbSigningKey

RAW = {"encoding": serialization.Encoding.Raw, "format": serialization.PublicFormat.Raw}


def signing_key() -> SbSigningKey:
    """The sandbox account's key pair, generated the first time it is needed."""
    key = SbSigningKey.objects.order_by("pk").first()
    if key:
        return key
    private = Ed25519PrivateKey.generate()
    private_raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                        serialization.NoEncryption())
    try:
        with transaction.atomic():
            SbSigningKey.objects.create(private_key=base64.b64encode(private_raw).decode(),
                                        public_key=base64.b64encode(private.public_key().public_bytes(**RAW)).decode())
    except IntegrityError:
        pass
    return SbSigningKey.objects.order_by("pk").first()


def public_key_b64() -> str:
    return signing_key().public_key


def sign(body: bytes, timestamp: str) -> str:
    """The `telnyx-signature-ed25519` header for `body` sent at `timestamp`."""
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(signing_key().private_key))
    return base64.b64encode(private.sign(f"{timestamp}|".encode() + body)).decode()
