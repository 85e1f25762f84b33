"""Trying a version that is not live in the chat playground.

Telnyx routes a new conversation by the canary rules and pins it to the version that answered
first. So the portal starts the conversation, puts one rule in front of the others that sends
only that conversation to the version (matching ASSISTANTS_TRIAL_CHAT_ATTRIBUTE, the
conversation id in the sandbox), sends the first turn, then takes the rule out again: the
conversation stays on the version, no caller ever matches the rule, and both writes are in the
audit log. The SDK does not list Telnyx's routing attributes, so the reply's version is checked
and a mismatch is said plainly.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from django.conf import settings

from assistants import hooks
from assistants.selectors import version_names_of
from assistants.services import canary as canary_services
from core.types import PortalUser
from portal.roles import ADMINISTER
from portal.telnyx import TelnyxError


def trial_attribute() -> str:
    return str(getattr(settings, "ASSISTANTS_TRIAL_CHAT_ATTRIBUTE", "") or "")


def trial_refusal(*, user: PortalUser, assistant_id: str) -> str:
    """Why "Try in chat" cannot talk to a version that is not live now ("" when it can)."""
    if not trial_attribute():
        return ("Trying a version that is not live is off here (ASSISTANTS_TRIAL_CHAT_ATTRIBUTE is empty), "
                "so the chat would be answered by the canary rules' choice.")
    if not user.has_perm(ADMINISTER):
        return ("Trying a version that is not live adds a canary rule for this chat alone, and only Admins change "
                "canary rules: ask an Admin, or run the version's test suites.")
    return hooks.trial_blocked(assistant_id)


def trial_rule(version_id: str, conversation_id: str) -> dict:
    return {"match": [{"attribute": trial_attribute(), "operator": "in", "values": [conversation_id]}],
            "serve": {"version_id": version_id}}


@contextmanager
def routed_to(*, user: PortalUser, assistant_id: str, version_id: str, conversation_id: str) -> Iterator[dict]:
    """While inside: the canary rules send `conversation_id` (and nothing else) to `version_id`.
    Raises TelnyxError if the rule cannot be added; its removal is tried even if the turn fails,
    and a removal Telnyx refused (audited) is reported in the yielded dict's "left" key."""
    rule = trial_rule(version_id, conversation_id)
    before = canary_services.canary_fetch(user=user, assistant_id=assistant_id)
    canary_services.canary_write_trial(
        user=user, assistant_id=assistant_id, rules=[rule, *before.rules], current=before,
        summary=f"Try in chat: a rule sends only conversation {conversation_id} to version {version_id}")
    state = {"left": ""}
    try:
        yield state
    finally:
        try:
            _remove(user=user, assistant_id=assistant_id, rule=rule, had_canary=before.exists,
                    conversation_id=conversation_id)
        except TelnyxError as exc:  # harmless (it matches only this conversation) but said
            state["left"] = f"The trial rule could not be removed ({exc.user_message}); remove it on the canary page."


def mismatch(*, assistant_id: str, wanted: str, served: str) -> str:
    """What to say when the reply came from another version than the one tried (each by its
    name from the versions cache, a short id when it has none: never a whole UUID)."""
    if not served or served == wanted:
        return ""
    names = version_names_of(assistant_id, [wanted, served])

    def named(version_id: str) -> str:
        return f"“{names[version_id]}”" if names.get(version_id) else version_id[:8]
    return (f"Telnyx answered with version {named(served)}, not {named(wanted)}: its canary rules did not route this "
            f"conversation by “{trial_attribute()}”. Try the version through its test suites instead.")


def _remove(*, user: PortalUser, assistant_id: str, rule: dict, had_canary: bool, conversation_id: str) -> None:
    """Take the trial rule out of whatever the rules are now (someone may have saved since)."""
    now = canary_services.canary_fetch(user=user, assistant_id=assistant_id)
    remaining = [r for r in now.rules if r != rule]
    if remaining == now.rules:
        return  # already gone (a plan or an Admin replaced the rules)
    if not remaining and not had_canary:
        canary_services.canary_delete(user=user, assistant_id=assistant_id)
        return
    canary_services.canary_write_trial(
        user=user, assistant_id=assistant_id, rules=remaining, current=now,
        summary=f"Try in chat: removed the rule for conversation {conversation_id} (it stays on its version)")
