"""The audit log in people's words: actions and object kinds named, long ids cut to their first
characters (the entry's own page has them whole), one line per row."""

from __future__ import annotations

import re

from django import template

register = template.Library()

ACTIONS = {
    "sms_chat": "Started an SMS chat", "set_role": "Changed a role", "set_password": "Set a password",
    "deactivate": "Deactivated", "activate": "Reactivated", "invite": "Invited", "login_locked_out": "Login locked out",
    "test_tool": "Tested a tool", "chat": "Chat turn", "create version": "Saved a version",
    "update version": "Edited a version", "delete version": "Deleted a version", "rollback": "Rolled back",
    "export": "Exported", "run": "Ran", "compute": "Started clustering",
}
KINDS = {
    "assistant": "Assistant", "assistant_test": "Test", "test": "Test", "test_run": "Test run", "test_suite": "Suite",
    "canary_deploy": "Canary", "conversation": "Conversation", "conversations": "Conversations",
    "integration_connection": "Integration", "mcp_server": "MCP server", "release": "Release",
    "scheduled_event": "Scheduled event", "user": "User", "fine_tuning_job": "Fine-tuning job",
    "insight_group": "Insight group", "insight_template": "Insight template", "bucket": "Bucket", "cluster": "Cluster",
    "login": "Login",
}
# A Telnyx id: a UUID, or a prefix and one ("assistant-0000…"); shown by its first 8 characters.
LONG_ID = re.compile(r"\b(?:[a-z]+[-_])?(?P<uuid>[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})\b", re.I)


@register.filter
def action_words(action: str) -> str:
    action = str(action or "")
    return ACTIONS.get(action) or action.replace("_", " ").capitalize()


@register.filter
def kind_words(resource_type: str) -> str:
    kind = str(resource_type or "")
    return KINDS.get(kind) or kind.replace("_", " ").capitalize()


def short_id(value: str) -> str:
    text = str(value or "")
    return text if len(text) <= 14 else f"{text[:8]}…"


@register.filter
def short_ids(text: str) -> str:
    """Every long id in `text` cut to its first 8 characters."""
    return LONG_ID.sub(lambda m: f"{m.group('uuid')[:8]}…", str(text or ""))
