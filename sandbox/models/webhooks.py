"""Where the sandbox once kept its webhook signing key pair. No longer read: the key is
settings.SANDBOX_WEBHOOK_SIGNING_KEY (sandbox/behaviour/signing.py); the table goes with the
next sandbox migration."""

from django.db import models


class SbSigningKey(models.Model):
    private_key = models.CharField(max_length=100)  # base64 raw 32 bytes
    public_key = models.CharField(max_length=100)  # base64 raw 32 bytes: what TELNYX_PUBLIC_KEY holds
    created_at = models.DateTimeField(auto_now_add=True)
