"""The sandbox's "quality" insight: a score and a resolved flag per conversation.

Deterministic per conversation id (so reruns agree), spread like real scores, and lowered
for conversations served by a version given a penalty (`score_version`): that is how a
test or the demo simulates a degraded candidate for the live-traffic gate.
"""

from __future__ import annotations

import hashlib

from sandbox.models import SbConversation, SbVersion, SbVersionQuality

# A stable id for the built-in "quality" insight template.
QUALITY_INSIGHT_ID = "8d2b6a51-3c1e-4f7a-9b0d-6e4f2a9c7d13"
# And of the built-in "summary" template every conversation's insights carry.
SUMMARY_INSIGHT_ID = "5f1c3f3e-6d0c-4c43-9f8e-2a3c9c1d0b11"
# Both exist as templates (seeded with the demo data) so their results have names, as in Telnyx.
BUILT_IN_TEMPLATES = [
    (SUMMARY_INSIGHT_ID, "Conversation summary", "Summarise the conversation and say whether it was resolved.",
     {"type": "object", "properties": {"summary": {"type": "string"}, "messages": {"type": "integer"},
                                       "resolved": {"type": "boolean"}}}),
    (QUALITY_INSIGHT_ID, "Quality score", "Score the assistant's answers from 0 to 1 and say whether the issue was resolved.",
     {"type": "object", "properties": {"score": {"type": "number"}, "resolved": {"type": "boolean"}}}),
]


def score_version(version: SbVersion, penalty: float) -> None:
    """Score this version's conversations `penalty` lower (0 restores it)."""
    SbVersionQuality.objects.update_or_create(version=version, defaults={"penalty": max(0.0, min(1.0, penalty))})


def _unit(conversation_id: str, salt: str) -> float:
    digest = hashlib.sha1(f"{salt}:{conversation_id}".encode()).hexdigest()
    return int(digest[:8], 16) / 0xFFFFFFFF


def quality(conversation: SbConversation) -> dict:
    """`{"score": 0..1, "resolved": bool}` for a conversation, its version's penalty applied."""
    penalty = (SbVersionQuality.objects.filter(version_id=conversation.assistant_version_id)
               .values_list("penalty", flat=True).first() or 0.0)
    score = 0.6 + 0.35 * _unit(conversation.pk, "score") - penalty
    resolved = _unit(conversation.pk, "resolved") < 0.85 - penalty
    return {"score": round(max(0.0, min(1.0, score)), 3), "resolved": resolved}
