"""Webhooks as Telnyx sends them: a `call.analyzed` event with the conversation's insight
results, signed with Ed25519 over "{timestamp}|{body}", posted to the insight group's and its
templates' `webhook` URLs once a conversation's insights are complete."""

from __future__ import annotations

import base64
import json
import logging
import uuid
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import IntegrityError, transaction

from sandbox.api import iso, now
from sandbox.models import SbConversation, SbInsightGroup, SbSigningKey

logger = logging.getLogger(__name__)

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


def _result(conversation: SbConversation, template) -> str:
    messages = list(conversation.messages.order_by("created_at", "id")[:50])
    first_user = next((m.text for m in messages if m.role == "user"), "")
    summary = {"summary": f"The user asked about: {first_user[:80]}", "messages": len(messages)}
    return json.dumps(summary) if template.json_schema else summary["summary"]


def call_analyzed_event(conversation: SbConversation, group: SbInsightGroup) -> dict:
    templates = list(group.insights.order_by("created_at", "id"))
    return {"data": {
        "record_type": "event", "id": str(uuid.uuid4()), "event_type": "call.analyzed", "occurred_at": iso(now()),
        "payload": {"conversation_id": conversation.pk, "assistant_id": conversation.assistant_id,
                    "conversation_insights": [{"status": "completed", "conversation_insights": [
                        {"insight_id": t.id, "result": _result(conversation, t)} for t in templates]}]},
    }}


def allowed_prefixes() -> list[str]:
    """SANDBOX_WEBHOOK_ALLOWED_URLS, or by default only the portal's own webhook endpoints."""
    return list(settings.SANDBOX_WEBHOOK_ALLOWED_URLS) or [settings.PORTAL_BASE_URL.rstrip("/") + "/webhooks/"]


def webhook_allowed(url: str) -> bool:
    """True when `url` is under one of the allowed prefixes: same scheme, host and port, a path
    below the prefix's, no `..` segment and no credentials. Anything else is never contacted,
    so a group's webhook cannot make the sandbox reach an internal address."""
    try:
        target = urlsplit(url)
        target.port  # noqa: B018 (a malformed port raises here)
    except ValueError:
        return False
    if target.username or target.password or ".." in target.path.split("/") or "\\" in url:
        return False
    for prefix in allowed_prefixes():
        allowed = urlsplit(prefix)
        if ((target.scheme.lower(), (target.hostname or ""), target.port) ==
                (allowed.scheme.lower(), (allowed.hostname or ""), allowed.port)
                and target.path.startswith(allowed.path or "/")):
            return True
    return False


def insights_completed(conversation: SbConversation, config: dict) -> None:
    """After the transaction commits, send the event to every webhook of the assistant's insight group."""
    group_id = (config.get("insight_settings") or {}).get("insight_group_id")
    group = SbInsightGroup.objects.filter(pk=group_id).first() if group_id else None
    if group is None:
        return
    urls = list(dict.fromkeys(u for u in [group.webhook, *group.insights.values_list("webhook", flat=True)] if u))
    refused = [u for u in urls if not webhook_allowed(u)]
    if refused:
        logger.warning("sandbox webhook not sent to %d URL(s) outside SANDBOX_WEBHOOK_ALLOWED_URLS", len(refused))
    urls = [u for u in urls if u not in refused]
    if not urls:
        return
    body = json.dumps(call_analyzed_event(conversation, group))

    def send():
        from sandbox.tasks import send_signed_webhook

        for url in urls:
            send_signed_webhook.delay(url, body)

    transaction.on_commit(send, robust=True)  # a receiver that is down never fails the chat
