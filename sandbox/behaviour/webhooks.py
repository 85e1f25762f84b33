"""Webhooks as Telnyx sends them: a `call.analyzed` event with the conversation's insight
results, signed with Ed25519 over "{timestamp}|{body}", posted to the insight group's and its
templates' `webhook` URLs once a conversation's insights are complete."""

from __future__ import annotations

import json
import logging
import uuid

from django.db import transaction

from sandbox.api import iso, now
from sandbox.behaviour.webhook_targets import webhook_allowed
from sandbox.models import SbConversation, SbInsightGroup
from sandbox.tasks import send_signed_webhook

logger = logging.getLogger(__name__)


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
        for url in urls:
            send_signed_webhook.delay(url, body)

    transaction.on_commit(send, robust=True)  # a receiver that is down never fails the chat
