"""Talking to an assistant from the portal: web chat turns and SMS chats (Operator and up).

A web chat starts by creating a conversation whose metadata names the assistant (as seed 004
does), then sends each turn with that conversation id. Telnyx pins a conversation to the
version that served its first turn and records it in `metadata.assistant_version_id`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Iterator

from assistants.services import trial_chat
from assistants.services.observed import forget_observed_split
from core import audit
from core.types import PortalUser
from core.writes import telnyx_write
from portal.roles import OPERATE, require_perm
from portal.telnyx import TelnyxError, new_idempotency_key
from portal.telnyx.resources import chat as chat_api
from portal.telnyx.resources import conversations as conversations_api

RESOURCE_TYPE = "assistant"


@dataclass
class ChatTurn:
    conversation_id: str
    reply: str
    version_id: str = ""  # "" when Telnyx did not say (or the lookup failed)
    note: str = ""  # a trial chat's warning (another version answered; its rule was left)


def conversation_start(*, user: PortalUser, assistant_id: str) -> str:
    """Create a conversation for the assistant and return its id."""
    require_perm(user, OPERATE)
    body = {"metadata": {"assistant_id": assistant_id}, "name": f"Portal playground ({user.get_username()})"}
    return conversations_api.create(body, idempotency_key=new_idempotency_key()).data["id"]


def serving_version(conversation_id: str) -> str:
    """The version pinned to the conversation, from its metadata; "" if it cannot be read."""
    try:
        data = conversations_api.retrieve(conversation_id)
    except TelnyxError:
        return ""
    return str((data.get("metadata") or {}).get("assistant_version_id") or "")


def _turn_audit(*, conversation_id: str, content: str, reply: str | None = None, version_id: str = "") -> tuple[str, dict]:
    """What a turn's audit event says: sizes and ids, never the texts (they can be long, and
    personal); Telnyx's status and request id come with the response or error."""
    if reply is None:
        return f"Tried a chat turn in conversation {conversation_id} ({len(content)} characters sent)", {
            "conversation_id": conversation_id, "sent_characters": len(content)}
    served = f", served by version {version_id}" if version_id else ""
    return (f"Chat turn in conversation {conversation_id}: sent {len(content)} characters, "
            f"the assistant answered with {len(reply)} characters{served}"), {
        "conversation_id": conversation_id, "sent_characters": len(content), "reply_characters": len(reply),
        "version_id": version_id}


def chat_send(*, user: PortalUser, assistant_id: str, content: str, conversation_id: str = "",
              trial_version: str = "") -> ChatTurn:
    """Send one user turn (audited); start a conversation first when there is none yet. A new
    conversation with `trial_version` is answered by that version (see trial_chat)."""
    require_perm(user, OPERATE)
    if not conversation_id:
        conversation_id = conversation_start(user=user, assistant_id=assistant_id)
        forget_observed_split(assistant_id)
        if trial_version:
            with trial_chat.routed_to(user=user, assistant_id=assistant_id, version_id=trial_version,
                                      conversation_id=conversation_id) as trial:
                turn = chat_send(user=user, assistant_id=assistant_id, content=content, conversation_id=conversation_id)
            turn.note = " ".join(filter(None, [trial_chat.mismatch(assistant_id=assistant_id, wanted=trial_version, served=turn.version_id),
                                               trial["left"]]))
            return turn
    turn = ChatTurn(conversation_id=conversation_id, reply="")

    def answered(response) -> str:
        turn.reply = str((response.data or {}).get("content") or "")
        turn.version_id = serving_version(conversation_id)
        return _turn_audit(conversation_id=conversation_id, content=content, reply=turn.reply, version_id=turn.version_id)[0]

    tried, tried_changes = _turn_audit(conversation_id=conversation_id, content=content)
    telnyx_write(lambda: chat_api.send(assistant_id, content=content, conversation_id=conversation_id),
                 user=user, action="chat", resource_type=RESOURCE_TYPE, resource_id=assistant_id, summary=answered,
                 failure_summary=tried, changes=tried_changes)
    return turn


def chat_stream(*, user: PortalUser, assistant_id: str, content: str, conversation_id: str = "",
                trial_version: str = "") -> Iterator[tuple[str, str]]:
    """One user turn, streamed: ("conversation", id), ("version", id) as soon as Telnyx has
    pinned one (after the first fragment of a new conversation), ("delta", text)…, ("done", reply).

    Permission, the new conversation and the first error are checked before anything is
    yielded, so a caller can still answer with a plain error page. The turn is audited once
    it ends (the reply whole, or the error that stopped it), like `chat_send`'s.
    """
    require_perm(user, OPERATE)
    trial = None
    if not conversation_id:
        conversation_id = conversation_start(user=user, assistant_id=assistant_id)
        forget_observed_split(assistant_id)
        if trial_version:
            trial = trial_chat.routed_to(user=user, assistant_id=assistant_id, version_id=trial_version,
                                         conversation_id=conversation_id)
    audited = _StreamAudit(user=user, assistant_id=assistant_id, conversation_id=conversation_id, content=content)
    if trial is None:
        events = chat_api.stream(assistant_id, content=content, conversation_id=conversation_id)
        first = audited.guard(lambda: next(events, ("done", "")))
        return audited.events(_turn_events(conversation_id, first, events))
    # The first fragment means Telnyx has pinned the conversation: the rule can go.
    with trial as state:
        events = chat_api.stream(assistant_id, content=content, conversation_id=conversation_id)
        first = audited.guard(lambda: next(events, ("done", "")))
    return audited.events(_trial_events(_turn_events(conversation_id, first, events), assistant_id, trial_version, state["left"]))


def _trial_events(events: Iterator[tuple[str, str]], assistant_id: str, wanted: str, left: str) -> Iterator[tuple[str, str]]:
    """A trial chat's stream, with a "note" event when another version answered or the rule stayed."""
    for kind, text in events:
        yield kind, text
        if kind == "version" and (said := " ".join(filter(None, [trial_chat.mismatch(assistant_id=assistant_id, wanted=wanted, served=text), left]))):
            yield "note", said


@dataclass
class _StreamAudit:
    """A streamed turn has no single response for `telnyx_write` to wrap: it is recorded the
    same way when the stream ends."""

    user: PortalUser
    assistant_id: str
    conversation_id: str
    content: str

    def _record(self, *, reply: str | None = None, version_id: str = "", error: TelnyxError | None = None) -> None:
        summary, changes = _turn_audit(conversation_id=self.conversation_id, content=self.content, reply=reply,
                                       version_id=version_id)
        audit.record(user=self.user, action="chat", resource_type=RESOURCE_TYPE, resource_id=self.assistant_id,
                     summary=summary, changes=changes, error=error)

    def guard(self, step):
        try:
            return step()
        except TelnyxError as exc:
            self._record(error=exc)
            raise

    def events(self, events: Iterator[tuple[str, str]]) -> Iterator[tuple[str, str]]:
        version_id = ""
        while True:
            event = self.guard(lambda: next(events, None))
            if event is None:
                return
            kind, text = event
            if kind == "version":
                version_id = text
            elif kind == "done":
                self._record(reply=text, version_id=version_id)
            yield event


def _turn_events(conversation_id: str, first: tuple[str, str], rest: Iterator[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    yield "conversation", conversation_id
    # One lookup once the reply has started, one more at the end if Telnyx had not said yet:
    # never a lookup per fragment.
    version_id = serving_version(conversation_id)
    if version_id:
        yield "version", version_id
    for kind, text in itertools.chain([first], rest):
        if kind == "done" and not version_id:
            version_id = serving_version(conversation_id)
            if version_id:
                yield "version", version_id
        yield kind, text


def sms_chat_send(*, user: PortalUser, assistant_id: str, from_: str, to: str, text: str = "",
                  idempotency_key: str = "") -> str:
    """Have the assistant start an SMS conversation from `from_` to `to`; audited. Returns the
    conversation id Telnyx created ("" if it created none)."""
    require_perm(user, OPERATE)
    body = {"from": from_, "to": to, **({"text": text} if text else {})}
    summary = f"SMS chat from {from_} to {to}"

    def started(response) -> str:
        conversation_id = str(response.data.get("conversation_id") or "")
        return f"Started an {summary}" + (f" (conversation {conversation_id})" if conversation_id else "")

    response = telnyx_write(
        lambda: chat_api.send_sms(assistant_id, body, idempotency_key=idempotency_key or new_idempotency_key()),
        user=user, action="sms_chat", resource_type=RESOURCE_TYPE, resource_id=assistant_id, summary=started,
        failure_summary=f"Tried to start an {summary}", changes=audit.diff(None, body),
        store=lambda r: forget_observed_split(assistant_id),
    )
    return str(response.data.get("conversation_id") or "")
