"""Production alert rules as guardrail metrics of a rollout plan.

A rule watches one number over time ("Acme's response latency rises above 4 s"); a guardrail
compares the candidate with main on the same number, conversation by conversation, through the
live gate's own code (`gate_fold` tallies, `stats.judge`). The mapping:

- **The metric.** Each rule's metric is a mean of one value per conversation, and that value is
  the guardrail's: an insight score or flag → the result field (merged per conversation as the
  gate merges every field); turns, duration, response latency (seconds), and "had a failed tool
  call" (a pass/fail flag, so the rate is the rule's tool-failure share) → read from the
  conversation cache, keys `call_turns`, `call_duration_seconds`, `call_response_latency_seconds`,
  `call_tool_failure`. Conversation volume is not a per-conversation value (it follows the
  traffic split), so a volume rule cannot be a guardrail.
- **The direction.** The gate judges "higher is better". A rule that fires when the number
  *drops below* its threshold keeps the value as is; one that fires when it *rises above* judges
  it negated (numbers × −1, flags inverted), shown with a leading "−" (`−call_tool_failure`).
- **The margin.** The threshold is a level, the margin a tolerated drop against main. The
  guardrail's margin is how far main stands from the threshold now (main's value over the last 7
  days, as the rule measures it): a candidate is accepted only when the gate rules out a drop
  that would take it past the rule's threshold. When main is already past it, or has no data,
  the plan's margin is used and the form says so.

Only what the plan names is added, so plans without these keys are judged exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from conversations.models import Conversation
from monitoring.metrics import measure
from monitoring.models import AlertRule

NEGATED = "−"
BASELINE = timedelta(days=7)
#: Guardrail key → (Conversation column, its value as the rule's metric reads it); None: unknown.
CALL_KEYS = {
    "call_turns": ("turns", lambda row: row["turns"]),
    "call_duration_seconds": ("duration_seconds", lambda row: row["duration_seconds"]),
    "call_response_latency_seconds": ("response_latency_ms",
                                      lambda row: None if row["response_latency_ms"] is None else row["response_latency_ms"] / 1000),
    "call_tool_failure": ("tool_calls", lambda row: None if row["tool_calls"] is None else bool(row["tool_failures"])),
}
RULE_KEYS = {AlertRule.Metric.TURNS: "call_turns", AlertRule.Metric.DURATION: "call_duration_seconds",
             AlertRule.Metric.RESPONSE_LATENCY: "call_response_latency_seconds",
             AlertRule.Metric.TOOL_FAILURES: "call_tool_failure"}


@dataclass
class RuleGuardrail:
    rule: AlertRule
    key: str
    margin: float | None  # None: the plan's margin
    note: str


def usable_rules(assistant_id: str) -> list[AlertRule]:
    """The assistant's rules that can be guardrails (every metric but volume)."""
    return list(AlertRule.objects.filter(assistant_id=assistant_id).exclude(metric=AlertRule.Metric.VOLUME))


def rule_key(rule: AlertRule) -> str:
    base = RULE_KEYS.get(rule.metric) or rule.insight_field.rpartition(":")[2]
    return (NEGATED + base) if rule.comparison == AlertRule.Comparison.ABOVE else base


def rule_guardrail(rule: AlertRule, *, main_version_id: str, now: datetime | None = None) -> RuleGuardrail:
    """The guardrail a rule becomes for a plan against `main_version_id` (see the module's mapping)."""
    from django.utils import timezone

    baseline_rule = AlertRule(**{f.name: getattr(rule, f.name) for f in AlertRule._meta.concrete_fields if f.name != "id"})
    baseline_rule.version_id, baseline_rule.window_minutes = main_version_id, int(BASELINE.total_seconds() // 60)
    reading = measure(baseline_rule, now or timezone.now())
    key = rule_key(rule)
    if reading.value is None:
        return RuleGuardrail(rule, key, None, f"“{rule.name}”: main has no data in the last 7 days, so the plan's margin applies.")
    room = (reading.value - rule.threshold) if rule.comparison == AlertRule.Comparison.BELOW else (rule.threshold - reading.value)
    if room <= 0:
        return RuleGuardrail(rule, key, None, f"“{rule.name}”: main ({reading.value:.3g}) is already past the threshold "
                                              f"({rule.threshold:g}), so the plan's margin applies.")
    return RuleGuardrail(rule, key, room, f"“{rule.name}” → {key}, margin {room:.3g} (main {reading.value:.3g}, "
                                          f"threshold {rule.threshold:g}).")


def _orient(value, negated: bool):
    if value is None or not negated:
        return value
    return (not value) if isinstance(value, bool) else -value


def call_keys_named(plan) -> list[str]:
    return [k for k in plan.judged_keys + plan.monitor_keys if k.lstrip(NEGATED) in CALL_KEYS]


def with_named_values(plan, rows: list[dict], *, since: datetime, conversation_ids=None) -> list[dict]:
    """The gate's merged rows ({conversation_id, assistant_version_id, values}) with the values of
    the keys the plan names that the insight results do not hold as such: conversation metrics,
    and negated keys. Unchanged when the plan names none."""
    named = [k for k in plan.judged_keys + plan.monitor_keys if k.startswith(NEGATED) or k in CALL_KEYS]
    if not named:
        return rows
    merged = {row["conversation_id"]: row for row in rows}
    calls = call_keys_named(plan)
    if calls:
        conversations = Conversation.objects.filter(
            assistant_id=plan.assistant_id, created_at__gte=since,
            assistant_version_id__in=[plan.candidate_version_id, plan.main_version_id])
        if conversation_ids is not None:
            conversations = conversations.filter(telnyx_id__in=conversation_ids)
        columns = {"telnyx_id", "assistant_version_id", "turns", "duration_seconds", "response_latency_ms", "tool_calls",
                   "tool_failures"}
        for row in conversations.order_by().values(*columns):
            entry = merged.setdefault(row["telnyx_id"], {"conversation_id": row["telnyx_id"],
                                                         "assistant_version_id": row["assistant_version_id"], "values": {}})
            for key in calls:
                value = CALL_KEYS[key.lstrip(NEGATED)][1](row)
                if value is not None:
                    entry["values"][key] = _orient(value, key.startswith(NEGATED))
    for entry in merged.values():
        values = entry["values"]
        for key in named:
            base = key.lstrip(NEGATED)
            if key.startswith(NEGATED) and base not in CALL_KEYS and base in values:
                values[key] = _orient(values[base], True)
    return [entry for entry in merged.values() if entry["values"]]
