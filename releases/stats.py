"""The live gate's statistics: an always-valid confidence sequence for each metric's
difference candidate − main, the verdicts built on it, and the planner's sample sizes.

Pure functions of counts and sums (no Django), so `bench/gate_calibration.py` simulates
plans through exactly the code the engine calls.

The method (README, "Live gate statistics"):

- Each metric is a mean: the pass rate of a pass/fail result, the mean of a score. The
  estimate is the difference of the two versions' means, Δ̂ = candidate − main (higher is
  better), with information I = 1 / (s²_c/n_c + s²_m/n_m). Whatever share of traffic each
  step gives the candidate, Δ̂·I behaves like a Brownian motion in I (the "canonical joint
  distribution" of group-sequential designs: Cov(Δ̂_j, Δ̂_k) = Var(Δ̂_k) for nested samples).
- Its confidence sequence uses the one-sided normal-mixture uniform boundary of Howard,
  Ramdas, McAuliffe & Sekhon, "Time-uniform, nonparametric, nonasymptotic confidence
  sequences", Annals of Statistics 49(2), 2021 (the normal mixture over λ ≥ 0), applied with
  plug-in variances as the asymptotic confidence sequences of Waudby-Smith, Arnold, Wu,
  Howard & Ramdas, "Time-uniform central limit theory and asymptotic confidence sequences",
  Annals of Statistics 52(6), 2024. Each side holds at every look at once with probability
  ≥ 1 − α, so the engine may look at every tick and at every step of the plan.
- The boundary is the root of the mixture supermartingale, found with scipy; it is checked
  against the reference values of the authors' own library (confseq) in the tests.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction


class _OnFirstUse:
    """A scipy module imported the first time an attribute is read: scipy.stats and optimize take
    seconds to import, and every process importing the release engine (each bin/serve start,
    gunicorn, the worker, beat) paid them at start though only a gate evaluation or the planner
    needs them (`python -X importtime manage.py check`)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        return getattr(importlib.import_module(self._name), attribute)


optimize, special, sps = _OnFirstUse("scipy.optimize"), _OnFirstUse("scipy.special"), _OnFirstUse("scipy.stats")

PASS, FAIL, WAITING, INCONCLUSIVE = "pass", "fail", "waiting", "inconclusive"
DEFAULT_POWER = 0.8


# --- The uniform boundary -------------------------------------------------------------------

def best_rho(v_opt: float, alpha: float) -> float:
    """The mixture's precision that makes the two-sided boundary tightest at v = v_opt
    (Howard et al. 2021; confseq's `best_rho`)."""
    log_inv = math.log(1 / alpha)
    return v_opt / (2 * log_inv + math.log(1 + 2 * log_inv))


def two_sided_log_mixture(s: float, v: float, v_opt: float, alpha_opt: float) -> float:
    rho = best_rho(v_opt, alpha_opt)
    return 0.5 * math.log(rho / (v + rho)) + s * s / (2 * (v + rho))


def one_sided_log_mixture(s: float, v: float, v_opt: float, alpha_opt: float) -> float:
    """log of the half-normal mixture of exp(λS − λ²V/2) over λ ≥ 0, a nonnegative supermartingale."""
    return _one_sided(s, v, best_rho(v_opt, 2 * alpha_opt))


def _one_sided(s: float, v: float, rho: float) -> float:
    x = s / math.sqrt(v + rho)
    # log Φ(x): erfc is exact and fast where Φ is not tiny; log_ndtr for the far left tail.
    log_cdf = math.log(0.5 * math.erfc(-x / math.sqrt(2))) if x > -5 else float(special.log_ndtr(x))
    return 0.5 * math.log(4 * rho / (v + rho)) + s * s / (2 * (v + rho)) + log_cdf


def normal_mixture_bound(v: float, alpha: float, v_opt: float, alpha_opt: float = 0.05, *,
                         one_sided: bool = True) -> float:
    """The s at which the mixture reaches 1/α: by Ville's inequality a process S with
    variance process V crosses it (at any time) with probability at most α."""
    threshold = math.log(1 / alpha)
    if not one_sided:
        rho = best_rho(v_opt, alpha_opt)
        return math.sqrt((v + rho) * (math.log(1 + v / rho) + 2 * threshold))
    # Newton from the closed-form two-sided boundary with the same ρ, which lies above the root
    # (Φ ≤ 1 for the one-sided mixture's extra factor). log M is increasing and convex in s ≥ 0
    # (s²/2(v+ρ) has curvature 1/(v+ρ); log Φ's lies in (−1/(v+ρ), 0)), so Newton steps from the
    # right decrease monotonically onto the root: a few steps, never past it (scipy's brentq
    # gives the same root at ten times the cost, which the calibration bench would pay).
    rho = best_rho(v_opt, 2 * alpha_opt)
    scale = math.sqrt(v + rho)
    s = math.sqrt((v + rho) * (math.log(1 + v / rho) + 2 * threshold))
    for _ in range(100):
        excess = _one_sided(s, v, rho) - threshold
        x = s / scale
        slope = (x + math.exp(-x * x / 2) / math.sqrt(2 * math.pi) / (0.5 * math.erfc(-x / math.sqrt(2)))) / scale
        step = excess / slope
        s -= step
        if step < 1e-12 * max(s, 1.0):
            break
    return s


# --- One version's sample -------------------------------------------------------------------

@dataclass(frozen=True)
class Sample:
    """n observations of one metric on one version, as running sums (cheap to update)."""

    n: int
    total: float
    squares: float
    binary: bool

    @classmethod
    def of(cls, values: list) -> "Sample":
        """The sums correctly rounded (`math.fsum`), so they do not depend on the order of the
        values: `of_counts` over the same values gives the same bits (the live gate's tallies)."""
        numbers = [float(v) for v in values]
        return cls(len(numbers), math.fsum(numbers), math.fsum(x * x for x in numbers),
                   all(isinstance(v, bool) for v in values))

    @classmethod
    def of_counts(cls, counts: Iterable[tuple[float | bool, int]]) -> "Sample":
        """The sample in which each (value, count) occurs count times: the sums exact in
        rationals, rounded once, so equal to `of` over the expanded values."""
        n, total, squares, binary = 0, Fraction(0), Fraction(0), True
        for value, count in counts:
            x = float(value)
            n += count
            total += Fraction(x) * count
            squares += Fraction(x * x) * count
            binary = binary and isinstance(value, bool)
        return cls(n, float(total), float(squares), binary)

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else 0.0

    @property
    def variance(self) -> float:
        """Of one observation. Pass/fail: p(1−p) with p shrunk towards ½ ((x+1)/(n+2)), so an
        early all-pass sample does not claim zero variance. Scores: the sample variance."""
        if self.binary:
            p = (self.total + 1) / (self.n + 2)
            return p * (1 - p)
        if self.n < 2:
            return 0.0
        return max((self.squares - self.total * self.total / self.n) / (self.n - 1), 0.0)


# --- The confidence sequence and the verdict ------------------------------------------------

@dataclass(frozen=True)
class Interval:
    estimate: float  # candidate − main
    lower: float
    upper: float
    information: float


VARIANCE_FLOOR = 1e-9  # two constant samples would otherwise claim infinite information


def information(candidate: Sample, main: Sample) -> float:
    spread = (max(candidate.variance, VARIANCE_FLOOR) / candidate.n + max(main.variance, VARIANCE_FLOOR) / main.n)
    return 1 / spread


def planned_information(n: float, variance: float, share: float = 0.5) -> float:
    """The information of n candidate conversations when the candidate has `share` of the
    traffic (main has n·(1−share)/share), both versions with this variance:
    1/(σ²/n + σ²·share/(n(1−share))) = n(1−share)/σ². An even split gives n/(2σ²)."""
    return n * (1 - share) / max(variance, VARIANCE_FLOOR)


def confidence_sequence(candidate: Sample, main: Sample, *, alpha: float, v_opt: float) -> Interval:
    """[lower, upper] for candidate − main; each side is valid at every look with
    probability ≥ 1 − alpha (so the pair is a (1 − 2·alpha) two-sided sequence).
    `v_opt`: the information where the boundary is made tightest (the planned sample)."""
    info = information(candidate, main)
    radius = normal_mixture_bound(info, alpha, max(v_opt, 1e-9), alpha) / info
    estimate = candidate.mean - main.mean
    return Interval(estimate, estimate - radius, estimate + radius, info)


@dataclass(frozen=True)
class Judgement:
    verdict: str  # PASS | FAIL | WAITING
    interval: Interval | None


def judge(candidate: Sample, main: Sample, *, margin: float, alpha: float, planned_n: int,
          min_sample: int) -> Judgement:
    """One metric, non-inferiority with margin δ > 0:

    - PASS when the lower end is above −δ: the sequence excludes a drop as large as the margin;
    - FAIL when the upper end is below 0 (the candidate is shown worse than main) and the lower
      end does not exclude a drop of δ. A candidate no worse than main fails only if its
      sequence misses the truth (probability ≤ alpha over the whole plan); a candidate worse by
      δ passes only then too. Between 0 and −δ either verdict may come: the indifference zone;
    - WAITING otherwise, and before `min_sample` per version (the asymptotics' burn-in).
    """
    if candidate.n < min_sample or main.n < min_sample:
        return Judgement(WAITING, None)
    variance = (candidate.variance + main.variance) / 2
    interval = confidence_sequence(candidate, main, alpha=alpha, v_opt=planned_information(planned_n, variance))
    if interval.lower > -margin:
        return Judgement(PASS, interval)
    if interval.upper < 0:
        return Judgement(FAIL, interval)
    return Judgement(WAITING, interval)


def split_alpha(alpha: float, guardrails: int) -> tuple[float, float]:
    """(primary's level, each guardrail's level): the primary keeps half of the plan's level
    when there are guardrails, they share the other half (Bonferroni: the sum is alpha, so
    the whole plan's false-abort rate is at most alpha whatever the metrics' correlation)."""
    if guardrails <= 0:
        return alpha, alpha
    return alpha / 2, alpha / 2 / guardrails


def gate_verdict(judged: list[str], *, window_full: bool) -> str:
    """The step's verdict from its judged metrics' verdicts (monitor-only ones never count):
    any FAIL fails; all PASS passes; otherwise INCONCLUSIVE once the step has had its
    maximum sample or time, else WAITING."""
    if FAIL in judged:
        return FAIL
    if judged and all(v == PASS for v in judged):
        return PASS
    return INCONCLUSIVE if window_full else WAITING


# --- Sample sizes ---------------------------------------------------------------------------

def fixed_horizon_n(margin: float, variance: float, *, alpha: float, power: float = DEFAULT_POWER,
                    share: float = 0.5) -> int:
    """Candidate conversations for one look, a one-sided z-test at level alpha with `power` at
    a drop of `margin`: the textbook two-sample n = 2σ²(z₁₋α + z_power)²/δ² per version for an
    even split; with the candidate at `share`, σ²(z₁₋α + z_power)²/(δ²(1 − share))."""
    z = sps.norm.ppf(1 - alpha) + sps.norm.ppf(power)
    return math.ceil(variance * z * z / (margin * margin * (1 - share)))


def sequential_n(margin: float, variance: float, *, alpha: float, power: float = DEFAULT_POWER,
                 share: float = 0.5) -> int:
    """Candidate conversations (with the candidate at `share` of traffic; per version for an
    even split) at which the confidence sequence, made tightest there, shows a candidate worse
    by `margin` with probability `power` at that one look: δ = r(I) + z_power/√I. Looks before
    it can only add detections, so this is what the planner asks for."""
    z_power = sps.norm.ppf(power)

    def short(n: float) -> float:
        info = planned_information(n, variance, share)
        return margin - normal_mixture_bound(info, alpha, info, alpha) / info - z_power / math.sqrt(info)

    top = 10.0
    while short(top) < 0:
        top *= 2
        if top > 1e9:
            raise ValueError("The margin is too small for any sample size.")
    return math.ceil(optimize.brentq(short, 2.0, top) if short(2.0) < 0 else 2)
