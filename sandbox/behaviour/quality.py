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
