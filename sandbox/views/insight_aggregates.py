"""`GET /ai/conversations/conversation-insights/aggregates`: insight results counted by group.

The sandbox's insight results are the two every two-sided conversation gets (summary and
quality, see behaviour/quality.py); a row groups them by `score`, `resolved`, `insight_id` or any
`metadata.<key>` of the conversation, with `record_count`. Filters: `insight_id`, `created_at`
(PostgREST operators, on the conversation) and `metadata[assistant_id]` (or `metadata.<key>`).
"""

from __future__ import annotations

from collections import Counter

from sandbox.api import ApiError, ok
from sandbox.behaviour.conversation_filters import condition
from sandbox.behaviour.quality import QUALITY_INSIGHT_ID, SUMMARY_INSIGHT_ID, quality
from sandbox.models import SbConversation, SbMessage

RESULT_FIELDS = ("score", "resolved", "insight_id")
# A window larger than this is refused rather than answered slowly (Telnyx caps its windows too).
MAX_CONVERSATIONS = 20_000


def _fields(request, name: str) -> list[str]:
    values = [part.strip() for raw in request.GET.getlist(name) + request.GET.getlist(f"{name}[]")
              for part in raw.split(",") if part.strip()]
    for field in values:
        if field not in RESULT_FIELDS and not (field.startswith("metadata.") and len(field) > len("metadata.")):
            raise ApiError(400, f"Cannot group by {field!r}: use score, resolved, insight_id or metadata.<key>.",
                           parameter=name)
    return values


def _conversations(request):
    found = SbConversation.objects.all()
    for expression in request.GET.getlist("created_at"):  # a window is two: gte.<start>, lt.<end>
        found = found.filter(condition("created_at", expression, "created_at"))
    for key, value in request.GET.items():
        name = key[len("metadata["):-1] if key.startswith("metadata[") and key.endswith("]") else (
            key[len("metadata."):] if key.startswith("metadata.") else "")
        if name:
            found = found.filter(condition(f"metadata->{name}", value if "." in value else f"eq.{value}", key))
    return found


def _records(conversation: SbConversation, insight_id: str):
    score = quality(conversation)
    base = {f"metadata.{k}": v for k, v in (conversation.metadata or {}).items()}
    if insight_id in ("", QUALITY_INSIGHT_ID):
        yield {**base, "insight_id": QUALITY_INSIGHT_ID, "score": score["score"], "resolved": score["resolved"]}
    if insight_id in ("", SUMMARY_INSIGHT_ID):
        yield {**base, "insight_id": SUMMARY_INSIGHT_ID, "score": None, "resolved": None}


def aggregates(request):
    group_by = _fields(request, "group_by")
    shown = list(dict.fromkeys(group_by + _fields(request, "show")))
    conversations = _conversations(request)
    if conversations.count() > MAX_CONVERSATIONS:
        raise ApiError(400, f"The window holds more than {MAX_CONVERSATIONS} conversations; narrow created_at.",
                       parameter="created_at")
    talking = {}
    for conversation_id, role in SbMessage.objects.filter(conversation__in=conversations).values_list(
            "conversation_id", "role").distinct():
        talking.setdefault(conversation_id, set()).add(role)
    counts: Counter = Counter()
    for conversation in conversations.filter(pk__in=[c for c, roles in talking.items() if {"user", "assistant"} <= roles]):
        for record in _records(conversation, request.GET.get("insight_id", "")):
            counts[tuple(record.get(field) for field in shown)] += 1
    rows = [{**dict(zip(shown, key)), "record_count": n} for key, n in counts.items()]
    rows.sort(key=lambda row: [str(row.get(field)) for field in shown])
    return ok({"data": rows})
