"""The live gate's statistics against published reference values and their own guarantees."""

from __future__ import annotations

import math
import random

import pytest

from releases import stats
from releases.stats import FAIL, INCONCLUSIVE, PASS, WAITING, Sample


# The reference values of confseq (Howard et al.'s own library, test/uniform_boundaries_unittest.cpp,
# "all target values are from a reference implementation in R"): v_opt = 100, alpha_opt = alpha = 0.05.
def test_two_sided_normal_mixture_matches_confseq():
    assert stats.best_rho(100, 0.05) == pytest.approx(12.60056, abs=1e-5)
    assert stats.two_sided_log_mixture(10, 100, 100, 0.05) == pytest.approx(-0.6510052, abs=1e-5)
    assert stats.normal_mixture_bound(100, 0.05, 100, 0.05, one_sided=False) == pytest.approx(30.35209, abs=1e-5)


def test_one_sided_normal_mixture_matches_confseq():
    assert stats.one_sided_log_mixture(10, 100, 100, 0.05) == pytest.approx(-0.06502391, abs=1e-5)
    assert stats.normal_mixture_bound(100, 0.05, 100, 0.05) == pytest.approx(27.66071, abs=1e-5)


def test_the_boundary_is_wider_than_one_fixed_look_and_grows_slower_than_linearly():
    """The price of looking at every tick: above the fixed-horizon z·√v, by a modest factor at v_opt."""
    fixed = 1.959964 * math.sqrt(400)  # one look at alpha 0.025
    bound = stats.normal_mixture_bound(400, 0.025, 400, 0.025)
    assert fixed < bound < 1.6 * fixed
    assert stats.normal_mixture_bound(40000, 0.025, 400, 0.025) / 40000 < bound / 400 / 5


def test_fixed_horizon_sample_size_matches_the_textbook_value():
    # σ = 1, δ = 0.5, one-sided α = 0.05, power 0.8: 2(1.6449 + 0.8416)²/0.25 = 49.46 → 50 per group.
    assert stats.fixed_horizon_n(0.5, 1.0, alpha=0.05) == 50
    # 80% vs 70% pass rate, α = 0.05 one-sided: 2·0.16·6.18/0.01 ≈ 198 (p(1−p) of main, the planner's view).
    assert stats.fixed_horizon_n(0.1, 0.16, alpha=0.05) == 198


def test_an_uneven_split_needs_fewer_candidate_conversations():
    # Main at 90% of traffic: information n(1 − 0.1)/σ² instead of n/(2σ²) for an even split.
    assert stats.planned_information(100, 0.25, share=0.1) == pytest.approx(360)
    assert stats.planned_information(100, 0.25) == pytest.approx(200)
    assert stats.fixed_horizon_n(0.5, 1.0, alpha=0.05, share=0.1) == math.ceil(49.46 / 2 / 0.9)


def test_the_sequential_sample_detects_the_margin_with_the_stated_power_at_one_look():
    n = stats.sequential_n(0.1, 0.16, alpha=0.025)
    info = stats.planned_information(n, 0.16)
    radius = stats.normal_mixture_bound(info, 0.025, info, 0.025) / info
    # At Δ = −δ the estimate's upper end is below 0 with probability Φ((δ − r)/se) = 0.80.
    assert (0.1 - radius) * math.sqrt(info) == pytest.approx(0.8416, abs=0.01)
    assert stats.fixed_horizon_n(0.1, 0.16, alpha=0.025) < n < 2.5 * stats.fixed_horizon_n(0.1, 0.16, alpha=0.025)


def test_sample_keeps_pass_rates_off_zero_variance_and_scores_as_sample_variance():
    passes = Sample.of([True] * 10)
    assert passes.binary and passes.mean == 1.0 and passes.variance == pytest.approx((11 / 12) * (1 / 12))
    scores = Sample.of([1.0, 2.0, 3.0, 4.0])
    assert not scores.binary and scores.mean == 2.5 and scores.variance == pytest.approx(5 / 3)


def test_verdicts_follow_the_interval_and_the_margin():
    main = Sample.of([0.5 + (i % 5) / 10 for i in range(200)])
    same = stats.judge(main, main, margin=0.1, alpha=0.025, planned_n=200, min_sample=30)
    assert same.verdict == PASS and same.interval.lower > -0.1
    worse = stats.judge(Sample.of([0.3 + (i % 5) / 10 for i in range(200)]), main, margin=0.1, alpha=0.025,
                        planned_n=200, min_sample=30)
    assert worse.verdict == FAIL and worse.interval.upper < 0
    slightly = stats.judge(Sample.of([0.48 + (i % 5) / 10 for i in range(200)]), main, margin=0.01, alpha=0.025,
                           planned_n=200, min_sample=30)
    assert slightly.verdict == WAITING  # neither excludes the margin nor shows the candidate worse
    assert stats.judge(Sample.of([0.1] * 5), main, margin=0.1, alpha=0.025, planned_n=200,
                       min_sample=30).verdict == WAITING


def test_the_gate_fails_on_any_judged_fail_and_is_inconclusive_only_when_its_window_is_full():
    assert stats.gate_verdict([PASS, FAIL], window_full=False) == FAIL
    assert stats.gate_verdict([PASS, PASS], window_full=True) == PASS
    assert stats.gate_verdict([PASS, WAITING], window_full=False) == WAITING
    assert stats.gate_verdict([PASS, WAITING], window_full=True) == INCONCLUSIVE
    assert stats.split_alpha(0.05, 0) == (0.05, 0.05) and stats.split_alpha(0.05, 2) == (0.025, 0.0125)


def test_looking_after_every_conversation_keeps_the_false_fail_rate_below_alpha():
    """Simulated: 200 candidates equal to main (80% pass), a look every 10 of 400 conversations per
    version. The sequence fails at most alpha of them; a one-look z-test used at every look fails
    far more (the problem the gate had), which shows the simulation can tell the two apart."""
    rng = random.Random(7)
    alpha, fails, naive_fails = 0.05, 0, 0
    z_alpha = 1.6449
    for _ in range(200):
        c_total = m_total = 0
        failed = naive = False
        for n in range(1, 401):
            c_total += rng.random() < 0.8
            m_total += rng.random() < 0.8
            if n < 20 or n % 10:
                continue
            candidate, main = Sample(n, c_total, c_total, True), Sample(n, m_total, m_total, True)
            if not failed and stats.judge(candidate, main, margin=0.1, alpha=alpha, planned_n=400,
                                          min_sample=20).verdict == FAIL:
                failed = True
            spread = math.sqrt(candidate.variance / n + main.variance / n)
            naive = naive or (candidate.mean - main.mean) / spread < -z_alpha
        fails += failed
        naive_fails += naive
    assert fails / 200 <= alpha
    assert naive_fails / 200 > 2 * alpha
