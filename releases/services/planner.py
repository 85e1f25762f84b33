"""The plan form's planner: from main's recent traffic and insight results, how many
conversations per version the live gate needs to catch a drop of the margin with 80% power,
how long that takes at each step's share, and which steps cannot get there in their time.

The sample sizes are `releases.stats.sequential_n` (the gate's own boundary) beside the
fixed-horizon one-look size for the same error rates; `bench/gate_calibration.py` checks
the detection rate at this sample by simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from conversations.insights.selectors import completed_values_per_conversation
from conversations.models import Conversation
from releases import stats

HISTORY = timedelta(days=7)


@dataclass
class MetricEstimate:
    key: str
    role: str  # primary | guardrail
    kind: str  # pass/fail | score
    margin: float
    alpha: float
    main_n: int
    main_mean: float
    variance: float
    sequential_n: int  # per version, an even split
    fixed_n: int
    # (step share %, candidate conversations needed at that share, hours to get them)
    steps: list[tuple[float, int, float | None]]
    warnings: list[str] = field(default_factory=list)

    @property
    def first_step_n(self) -> int:
        """What the step maximum defaults to: the candidate's sample at the first step's share."""
        return self.steps[0][1] if self.steps else self.sequential_n

    @property
    def sentence(self) -> str:
        drop = f"{self.margin:g}" if self.kind == "score" else f"{self.margin * 100:g} points"
        when = ""
        if self.steps and self.steps[0][2] is not None:
            share, n, hours = self.steps[0]
            when = f", about {_hours(hours)} at {share:g}% (where the candidate needs {n:,}: main gets the rest)"
        return (f"To detect a drop of {drop} in “{self.key}” with 80% power you need {self.sequential_n:,} "
                f"conversations per version{when}; one fixed look would need {self.fixed_n:,}.")

    @property
    def steps_text(self) -> str:
        return " · ".join(f"{w:g}%: {n:,} in {_hours(h) if h is not None else '— (no traffic)'}"
                          for w, n, h in self.steps)


@dataclass
class PlanEstimate:
    rate_per_hour: float
    conversations: int
    metrics: list[MetricEstimate]
    missing: list[str]  # keys asked for with no result on main in the last week

    @property
    def needed(self) -> int | None:
        """The sample the gate is tuned for: the largest any judged metric needs."""
        return max((m.first_step_n for m in self.metrics), default=None)


def _hours(value: float) -> str:
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"


def estimate(*, assistant_id: str, main_version_id: str, judged: list[str], margin: float, margins: dict,
             alpha: float, weights: list[float], max_step_seconds: int, now=None) -> PlanEstimate:
    """The planner for these settings; judged = primary first, then guardrails (empty: every
    key main reported, as guardrails, as the gate will judge them)."""
    now = now or timezone.now()
    since = now - HISTORY
    conversations = Conversation.objects.filter(assistant_id=assistant_id, created_at__gte=since).count()
    rate = conversations / (HISTORY.total_seconds() / 3600)
    rows = completed_values_per_conversation(assistant_id=assistant_id, since=since, version_ids=[main_version_id])
    found = sorted({key for row in rows for key in row["values"]})
    keys = judged or found
    if judged:
        primary_alpha, guard_alpha = stats.split_alpha(alpha, len(judged) - 1)
        levels = [primary_alpha] + [guard_alpha] * (len(judged) - 1)
        roles = ["primary"] + ["guardrail"] * (len(judged) - 1)
    else:
        levels, roles = [alpha / max(len(found), 1)] * len(found), ["guardrail"] * len(found)
    metrics, missing = [], []
    for key, role, level in zip(keys, roles, levels):
        sample = stats.Sample.of([row["values"][key] for row in rows if key in row["values"]])
        if sample.n < 2:
            missing.append(key)
            continue
        key_margin = float(margins.get(key, margin))
        # Under a drop of the margin the candidate's variance differs a little; for a pass rate, use it.
        variance = sample.variance
        if sample.binary:
            worse = min(max(sample.mean - key_margin, 0.0), 1.0)
            variance = (sample.variance + worse * (1 - worse)) / 2
        steps = []
        for w in weights:
            needed = stats.sequential_n(key_margin, variance, alpha=level, share=w / 100)
            steps.append((w, needed, needed / (rate * w / 100) if rate else None))
        entry = MetricEstimate(key, role, "pass/fail" if sample.binary else "score", key_margin, level, sample.n,
                               sample.mean, variance, stats.sequential_n(key_margin, variance, alpha=level),
                               stats.fixed_horizon_n(key_margin, variance, alpha=level), steps)
        limit = max_step_seconds / 3600
        short = [f"{math.floor(rate * w / 100 * limit):,} of {needed:,} at {w:g}%"
                 for w, needed, hours in steps if hours is not None and limit and hours > limit]
        if short:
            entry.warnings.append(
                f"In its {limit:g} h maximum a step gets about {', '.join(short)} (candidate conversations “{key}” "
                "needs): expect INCONCLUSIVE unless it decides early. Raise the share, the time or the margin.")
        metrics.append(entry)
    return PlanEstimate(rate, conversations, metrics, missing)
