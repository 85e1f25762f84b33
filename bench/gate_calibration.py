"""Calibration of the live gate: simulated rollout plans through the engine's own decision code.

Each plan is three percentage steps (10, 25, 50 % of traffic) judged as the engine judges
them: a look every LOOK conversations, every look's samples summed since the plan's first
step, `releases.stats.judge` per metric at the levels `releases.stats.split_alpha` gives,
`releases.stats.gate_verdict` for the step (FAIL at any look; PASS only once the step's hold
has passed; INCONCLUSIVE when the step's own window reaches the maximum sample, which is the
planner's sample, `releases.stats.sequential_n`, as the plan form sets it). Nothing is copied:
the functions are imported from the module `releases.services.gates` calls.

For each scenario it prints, over PLANS simulated plans per candidate:
- the whole-plan false-abort rate of a candidate equal to main (goal ≤ the plan's 5%);
- the detection rate (aborted) of a candidate whose primary metric is worse by its margin;
- how plans ended (completed / aborted / inconclusive) and the median candidate conversations
  to the first decision and to the end; beside the fixed-horizon sample for the same error
  rates (one look, one-sided at the metric's level, 80% power) and the planner's sample.
Rates carry a Wilson 95% interval (scipy).

    .venv/bin/python bench/gate_calibration.py [PLANS]      # default 2000 per scenario and candidate
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import binomtest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from releases.stats import (  # noqa: E402  (the engine's decision code, after the path is set)
    FAIL,
    INCONCLUSIVE,
    PASS,
    Sample,
    fixed_horizon_n,
    gate_verdict,
    judge,
    sequential_n,
    split_alpha,
)

ALPHA = 0.05
WEIGHTS = (10, 25, 50)
HOLD = 300  # conversations of all traffic each step holds for at least (30 min at 600 an hour)
LOOK = 20  # conversations between two looks (the engine looks every 15 s)
MIN_SAMPLE = 30
SEED = 20261206


@dataclass(frozen=True)
class Metric:
    key: str
    margin: float
    p: float | None = None  # pass/fail: main's pass rate
    low: float = 0.0  # scores: uniform on [low, high] (the sandbox's quality score is 0.6–0.95)
    high: float = 1.0

    @property
    def binary(self) -> bool:
        return self.p is not None

    @property
    def variance(self) -> float:
        """What the planner estimates from main's history (for a pass rate: averaged with the
        rate under a drop of the margin, as `releases.services.planner` does)."""
        if self.binary:
            worse = self.p - self.margin
            return (self.p * (1 - self.p) + worse * (1 - worse)) / 2
        return (self.high - self.low) ** 2 / 12

    def draw(self, rng, n: int, shift: float) -> tuple[float, float]:
        """(sum, sum of squares) of n conversations' values, `shift` added to the mean."""
        if not n:
            return 0.0, 0.0
        if self.binary:
            passed = float(rng.binomial(n, min(max(self.p + shift, 0.0), 1.0)))
            return passed, passed
        values = rng.uniform(self.low + shift, self.high + shift, n)
        return float(values.sum()), float((values * values).sum())


@dataclass(frozen=True)
class Scenario:
    name: str
    metrics: tuple[Metric, ...]  # the primary first, then the guardrails

    def levels(self) -> list[float]:
        primary, guard = split_alpha(ALPHA, len(self.metrics) - 1)
        return [primary] + [guard] * (len(self.metrics) - 1)

    def planned(self) -> int:
        """The planner's step maximum: candidate conversations at the first step's share."""
        return max(sequential_n(m.margin, m.variance, alpha=a, share=WEIGHTS[0] / 100)
                   for m, a in zip(self.metrics, self.levels()))


SCENARIOS = (
    Scenario("pass rate 80%, margin 10 points (primary only)", (Metric("resolved", 0.10, p=0.80),)),
    Scenario("score 0.6–0.95, margin 0.03 + guardrail pass rate 85%, margin 10 points",
             (Metric("score", 0.03, low=0.6, high=0.95), Metric("resolved", 0.10, p=0.85))),
)


def simulate(scenario: Scenario, shifts: list[float], rng, max_sample: int) -> tuple[str, int, int]:
    """One plan: (how it ended, candidate conversations at the first decision, at the end)."""
    levels = scenario.levels()
    sums = {version: [[0, 0.0, 0.0] for _ in scenario.metrics] for version in ("candidate", "main")}
    first = None
    for weight in WEIGHTS:
        seen = window = 0
        while True:
            n_candidate = int(rng.binomial(LOOK, weight / 100))
            for version, n in (("candidate", n_candidate), ("main", LOOK - n_candidate)):
                for index, metric in enumerate(scenario.metrics):
                    total, squares = metric.draw(rng, n, shifts[index] if version == "candidate" else 0.0)
                    acc = sums[version][index]
                    acc[0] += n
                    acc[1] += total
                    acc[2] += squares
            seen += LOOK
            window += n_candidate
            verdicts = [
                judge(Sample(c[0], c[1], c[2], metric.binary), Sample(m[0], m[1], m[2], metric.binary),
                      margin=metric.margin, alpha=level, planned_n=max_sample, min_sample=MIN_SAMPLE).verdict
                for metric, level, c, m in zip(scenario.metrics, levels, sums["candidate"], sums["main"])]
            verdict = gate_verdict(verdicts, window_full=window >= max_sample)
            candidate_n = sums["candidate"][0][0]
            if verdict == FAIL:
                return "aborted", first or candidate_n, candidate_n
            if seen < HOLD:
                continue
            if verdict == INCONCLUSIVE:
                return "inconclusive", first or candidate_n, candidate_n
            if verdict == PASS:
                first = first or candidate_n
                break
    return "completed", first, sums["candidate"][0][0]


def wilson(k: int, n: int) -> str:
    ci = binomtest(k, n).proportion_ci(method="wilson")
    return f"{k / n:6.1%} (95% CI {ci.low:.1%}–{ci.high:.1%})"


def main() -> None:
    plans = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rng = np.random.default_rng(SEED)
    print(f"Live gate calibration: {plans} plans per scenario and candidate; steps {WEIGHTS} %, a look every "
          f"{LOOK} conversations, hold {HOLD}, first look at {MIN_SAMPLE} per version, whole-plan level {ALPHA}.\n")
    for scenario in SCENARIOS:
        planned = scenario.planned()
        fixed = max(fixed_horizon_n(m.margin, m.variance, alpha=a, share=WEIGHTS[0] / 100)
                    for m, a in zip(scenario.metrics, scenario.levels()))
        print(f"## {scenario.name}")
        print(f"levels {', '.join(f'{m.key} {a:g}' for m, a in zip(scenario.metrics, scenario.levels()))}; "
              f"at {WEIGHTS[0]}% the planner's sample (the step maximum) is {planned} candidate conversations, the "
              f"fixed-horizon sample for the same error rates {fixed}")
        for label, shifts in (("equal to main", [0.0] * len(scenario.metrics)),
                              ("worse by the margin", [-scenario.metrics[0].margin] + [0.0] * (len(scenario.metrics) - 1))):
            started = time.perf_counter()
            outcomes = [simulate(scenario, shifts, rng, planned) for _ in range(plans)]
            ends = {end: sum(1 for o in outcomes if o[0] == end) for end in ("completed", "aborted", "inconclusive")}
            first = statistics.median(o[1] for o in outcomes)
            last = statistics.median(o[2] for o in outcomes)
            rate = "false-abort rate" if label == "equal to main" else "detection rate  "
            print(f"  candidate {label:20} {rate} {wilson(ends['aborted'], plans)}; completed {ends['completed']}, "
                  f"aborted {ends['aborted']}, inconclusive {ends['inconclusive']}; median candidate conversations to "
                  f"the first decision {first:.0f}, to the end {last:.0f}  [{time.perf_counter() - started:.0f} s]")
        print()


if __name__ == "__main__":
    main()
