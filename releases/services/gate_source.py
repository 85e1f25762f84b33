"""Where the live gate's numbers come from: Telnyx's per-version aggregates, or the cache.

Telnyx counts every insight result of the assistant per version and value
(`.../conversation-insights/aggregates`, grouped by `metadata.assistant_version_id`, the
result field and `insight_id`). For a metric that is one field of one insight template, the
(value, count) pairs are the whole sample the confidence sequence needs: the count, the sum
and the sum of squares (so the variance too), and for a score its min, median and max. The
gate then needs no conversation synced and no result read one conversation at a time.

The cache (`gate_fold`) is the source when Telnyx cannot say it: a field Telnyx will not group
by (its 400), a field that more than one template gives (Telnyx counts each template's result;
the cache merges a conversation's results, the newest winning), a plan with no metrics named
(its keys are whatever the cache finds), or Telnyx failing at the plan's first look.

One source per plan. The source is chosen at the plan's first evaluation, from whether Telnyx
answers, never from the values, and kept for every later look and step: each source's
confidence sequence is valid at every look of its own sequence, but switching between two
samples from look to look could pick whichever happens to cross (up to twice the level). A
Telnyx-judged plan whose aggregates fail at a later look waits for them (the step's time limit
still makes it inconclusive); it is never judged on the cache instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from conversations.insights.version_aggregates import field_counts
from portal.telnyx import TelnyxError
from releases.models import GateResult, RolloutPlan

TELNYX, CACHE = "telnyx", "cache"


@dataclass
class TelnyxAnswer:
    """Telnyx's tallies {version: {key: [(value, count)]}}, or why there are none (`reason`)."""

    tallies: dict[str, dict[str, list]] = field(default_factory=dict)
    reason: str = ""
    failed: bool = False  # Telnyx did not answer (not: answered something the gate cannot use)

    @property
    def usable(self) -> bool:
        return not self.reason


def plan_source(plan: RolloutPlan) -> str:
    """The source this plan's live gate chose at its first evaluation ("" before it)."""
    for details in GateResult.objects.filter(plan=plan, kind=GateResult.Kind.LIVE).order_by("evaluated_at") \
            .values_list("details", flat=True):
        if isinstance(details, dict) and details.get("source"):
            return details["source"]
    return ""


def from_telnyx(plan: RolloutPlan, keys: list[str], since: datetime) -> TelnyxAnswer:
    """Each key's values per version since `since`, as Telnyx counts them: one call per key."""
    if not plan.judged_keys:
        return TelnyxAnswer(reason="the plan names no metrics, so its keys are the ones the cache finds")
    tallies: dict[str, dict[str, list]] = {}
    for key in keys:
        try:
            answer = field_counts(assistant_id=plan.assistant_id, field=key, since=since)
        except TelnyxError as exc:
            return TelnyxAnswer(reason=f"Telnyx did not count “{key}” ({exc.user_message})", failed=True)
        if answer.templates > 1:
            return TelnyxAnswer(reason=f"{answer.templates} insight templates give “{key}”: Telnyx counts each "
                                       "template's result, the gate one value per conversation")
        for version, pairs in answer.counts.items():
            tallies.setdefault(version, {})[key] = pairs
    return TelnyxAnswer(tallies=tallies)


def window_count(plan: RolloutPlan, answer: TelnyxAnswer, since: datetime, window_start: datetime) -> int:
    """Candidate results of the primary metric since the step's window began (a resumed step's
    window starts after the evidence does: one more call)."""
    primary = plan.judged_keys[0]
    if window_start <= since:
        pairs = answer.tallies.get(plan.candidate_version_id, {}).get(primary, [])
    else:
        pairs = field_counts(assistant_id=plan.assistant_id, field=primary, since=window_start).counts.get(
            plan.candidate_version_id, [])
    return sum(n for _, n in pairs)


def primary_counts(plan: RolloutPlan, answer: TelnyxAnswer) -> dict[str, int]:
    """Results of the primary metric per version at Telnyx: the coverage line's "at Telnyx"."""
    if not plan.judged_keys:
        return {}
    primary = plan.judged_keys[0]
    return {version: sum(n for _, n in keys[primary]) for version, keys in answer.tallies.items() if primary in keys}
