"""The sandbox's webhook signing key: an Ed25519 pair generated once, as a Telnyx account has."""

from django.db import models


class SbSigningKey(models.Model):
    private_key = models.CharField(max_length=100)  # base64 raw 32 bytes
    public_key = models.CharField(max_length=100)  # base64 raw 32 bytes: what TELNYX_PUBLIC_KEY holds
    created_at = models.DateTimeField(auto_now_add=True)
