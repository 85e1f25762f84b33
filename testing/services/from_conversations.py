"""Real calls become tests: a test drafted from a conversation, and many conversations made
into tests of one suite at once.

The draft replays the caller: their turns, in order, are the simulated user's instructions.
Its rubric asks for what the conversation's insights found lacking (a flag answered "no", a
score below the pass mark), so the test fails where the real call went wrong. A channel the
portal cannot run against an assistant id (a phone call or SMS needs a number) becomes web chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from conversations.insights.results import insight_results
from conversations.selectors import template_names
from conversations.services import conversation_fetch
from core.types import PortalUser
from portal.roles import ADMINISTER, require_perm
from portal.telnyx import TelnyxError
from testing.models import TestOrigin
from testing.services.assistant_tests import test_create

#: Channels a test can run on against an assistant id; the others need a phone number.
RUNNABLE_CHANNELS = ("web_chat",)
#: Caller turns replayed at most (a long call's later turns rarely matter to the failure).
MAX_TURNS = 12
#: A 0–1 score below this, or a 1–5 score below 3, counts as failed.
PASS_FRACTION = 0.5
#: Conversations one bulk action makes into tests (one page of the list).
MAX_BULK = 50


@dataclass
class TestDraft:
    __test__ = False

    conversation_id: str
    conversation_name: str
    initial: dict
    rubric: list[dict] = field(default_factory=list)
    failed_fields: int = 0
    error: str = ""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60] or "criterion"


def failed_score(value: float) -> bool:
    """Below the pass mark of its scale: half of a 0–1 score, 3 of a 1–5 score, half of 10."""
    scale = 1 if value <= 1 else 5 if value <= 5 else 10
    return value < (3 if scale == 5 else PASS_FRACTION * scale)


def failed_rubric(insights: list[dict]) -> list[dict]:
    """One rubric row per insight field the conversation failed."""
    rows = []
    results = [result for run in insight_results(insights) for result in run["results"]]
    known_templates = template_names({r.insight_id for r in results})
    for result in results:
        for item in result.fields:
            if item.kind == "flag" and item.value == "no":
                criteria = f"{result.name}: “{item.label}” should be yes (the real conversation got no)."
            elif item.kind == "score" and failed_score(float(item.value)):
                criteria = f"{result.name}: “{item.label}” should reach the pass mark (the real conversation scored {item.value})."
            else:
                continue
            # An insight whose template is not cached yet is named by its field alone.
            named = result.name if result.insight_id in known_templates else ""
            rows.append({"name": _slug(f"{named} {item.label}"), "criteria": criteria})
    return list({row["name"]: row for row in rows}.values())  # a field repeated by a later run: once


def caller_instructions(messages: list[dict], label: str) -> str:
    turns = [str(m.get("text") or m.get("content") or "").strip() for m in messages if m.get("role") == "user"]
    turns = [t for t in turns if t][:MAX_TURNS]
    if not turns:
        return f"Play the caller of the real conversation “{label}”: ask for help as they did."
    lines = "\n".join(f"{n}. {turn}" for n, turn in enumerate(turns, 1))
    return (f"Play the caller of the real conversation “{label}”. Say these turns in order, "
            f"adapting the wording to the assistant's replies:\n{lines}")


def test_draft_from_conversation(*, user: PortalUser, conversation_id: str) -> TestDraft:
    """The add-test form's starting values for this conversation (read live from Telnyx)."""
    detail = conversation_fetch(user=user, conversation_id=conversation_id)
    data = detail.conversation.data or {}
    metadata = data.get("metadata") or {}
    label = data.get("name") or conversation_id[:8]
    channel = metadata.get("telnyx_conversation_channel") or ""
    rubric = failed_rubric(detail.insights)
    failed = len(rubric)
    if not rubric:
        rubric = [{"name": "resolves_request", "criteria": "The assistant resolves what the caller asked for."}]
    initial = {
        "name": f"From conversation: {label}"[:300],
        "description": f"Made from the real conversation “{label}”.",
        "destination": metadata.get("assistant_id") or "",
        "telnyx_conversation_channel": channel if channel in RUNNABLE_CHANNELS else "web_chat",
        "instructions": caller_instructions(detail.messages, label),
    }
    error = detail.messages_error.user_message if detail.messages_error else ""
    return TestDraft(conversation_id, str(label), initial, rubric, failed, error)


def remember_origin(*, user: PortalUser, test_id: str, conversation_id: str, conversation_name: str = "") -> None:
    TestOrigin.objects.update_or_create(test_id=test_id, defaults={
        "conversation_id": conversation_id, "conversation_name": conversation_name[:300], "username": user.username})


def conversations_to_suite(*, user: PortalUser, conversation_ids: list[str], suite_name: str,
                           idempotency_key: str) -> tuple[list[dict], list[str]]:
    """Make each conversation a test in `suite_name`. One key per conversation from the form's
    key: resubmitting the action creates nothing twice. Returns (tests made, failures)."""
    require_perm(user, ADMINISTER)
    made, failures = [], []
    for conversation_id in list(dict.fromkeys(conversation_ids))[:MAX_BULK]:
        try:
            draft = test_draft_from_conversation(user=user, conversation_id=conversation_id)
            if not draft.initial["destination"]:
                failures.append(f"“{draft.conversation_name}”: no assistant answered it, so there is nothing to test.")
                continue
            if draft.error:
                failures.append(f"“{draft.conversation_name}”: its messages could not be read. {draft.error}")
                continue
            test = test_create(user=user, data={**draft.initial, "test_suite": suite_name, "rubric": draft.rubric},
                               idempotency_key=f"{idempotency_key}-{conversation_id}"[:200])
        except TelnyxError as exc:
            failures.append(f"“{conversation_id}”: {exc.user_message}")
            continue
        remember_origin(user=user, test_id=test["test_id"], conversation_id=conversation_id,
                        conversation_name=draft.conversation_name)
        made.append(test)
    return made, failures
