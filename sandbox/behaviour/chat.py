"""Chatting with an assistant: routing a conversation to a version, storing the messages.

A conversation is pinned to the version that served its first message; its metadata
records ``assistant_id`` and ``assistant_version_id``. New conversations are routed by the
assistant's canary rules (seeded weighted dice), existing ones keep their version.
"""

from __future__ import annotations

from django.db import transaction

from sandbox.api import ApiError, new_id, now
from sandbox.behaviour.canary_rules import route
from sandbox.behaviour.replies import reply_for
from sandbox.behaviour.webhooks import insights_completed
from sandbox.models import SbAssistant, SbCanaryDeploy, SbConversation, SbMessage, SbVersion


def routing_context(conversation: SbConversation, extra: dict | None = None) -> dict:
    """What canary ``match`` clauses can look at: metadata, channel, conversation id, extras."""
    context = {**conversation.metadata, "conversation_id": conversation.pk}
    context.setdefault("channel", conversation.metadata.get("telnyx_conversation_channel", "web_chat"))
    context.update(extra or {})
    return context


def serving_version(assistant: SbAssistant, conversation: SbConversation, *, is_new: bool,
                    context: dict | None = None) -> SbVersion:
    """The version answering this conversation (routed once, then sticky)."""
    if not is_new and conversation.assistant_id == assistant.pk and conversation.assistant_version_id:
        version = assistant.versions.filter(pk=conversation.assistant_version_id).first()
        if version:
            return version
    canary = SbCanaryDeploy.objects.filter(assistant=assistant).first()
    version_id = assistant.main_version_id
    if canary:
        version_id = route(canary.rules, routing_context(conversation, context),
                           main_version_id=assistant.main_version_id)
    return assistant.versions.filter(pk=version_id).first() or assistant.main_version


def _pin(conversation: SbConversation, assistant: SbAssistant, version: SbVersion) -> None:
    conversation.set_metadata({**conversation.metadata, "assistant_id": assistant.pk,
                               "assistant_version_id": version.pk})


@transaction.atomic
def chat(assistant: SbAssistant, *, conversation_id: str, content: str, name: str = "") -> str:
    """Store the user's message and the assistant's deterministic reply; return the reply."""
    at = now()
    conversation, created = SbConversation.objects.select_for_update().get_or_create(
        pk=conversation_id, defaults={"created_at": at, "last_message_at": at, "metadata": {}})
    if str(conversation.metadata.get("ai_disabled", "")).lower() == "true":
        raise ApiError(400, "AI replies are disabled for this conversation (metadata ai_disabled).",
                       pointer="/conversation_id")
    is_new = created or not conversation.messages.exists()
    version = serving_version(assistant, conversation, is_new=is_new)
    _pin(conversation, assistant, version)
    reply = reply_for(version.config, content)
    SbMessage.objects.create(conversation=conversation, role="user", text=content, name=name, created_at=at, sent_at=at)
    SbMessage.objects.create(conversation=conversation, role="assistant", text=reply, created_at=now())
    conversation.last_message_at = now()
    conversation.save()
    insights_completed(conversation, version.config)
    return reply


@transaction.atomic
def start_sms_chat(assistant: SbAssistant, *, from_: str, to: str, text: str | None,
                   conversation_metadata: dict, create: bool) -> SbConversation | None:
    """Open an SMS conversation from the assistant's number ``from_`` to ``to``."""
    if not create:
        return None
    at = now()
    metadata = {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in conversation_metadata.items()}
    metadata.update({"telnyx_conversation_channel": "sms_chat", "telnyx_agent_target": from_,
                     "telnyx_end_user_target": to})
    conversation = SbConversation(id=new_id(), created_at=at, last_message_at=at, metadata=metadata)
    version = serving_version(assistant, conversation, is_new=True, context={"from": from_, "to": to})
    _pin(conversation, assistant, version)
    conversation.save()
    body = text or reply_for(version.config, "hello")
    SbMessage.objects.create(conversation=conversation, role="assistant", text=body, created_at=at, sent_at=at)
    return conversation
