"""The live gate's statistical tests: is the candidate worse than main?

Both are one-sided (alternative: the candidate is lower), because a gate only stops a
release for being worse, never for being better:

- scores (numeric insight results): Mann–Whitney U, scipy's implementation (exact for
  small samples without ties, normal approximation with tie and continuity correction
  otherwise), so no assumption that scores are normally distributed;
- pass/fail results: the two-proportion z-test with a pooled proportion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass



def _scipy_stats():
    # Imported on the first gate evaluation, not at module import: scipy.stats takes seconds to
    # import, and every process importing the release engine (each manage.py command of bin/serve,
    # gunicorn, the worker) paid them at start (`python -X importtime manage.py check`).
    from scipy import stats

    return stats


@dataclass(frozen=True)
class Comparison:
    test: str
    statistic: float
    p_value: float


def mann_whitney_lower(candidate: list[float], main: list[float]) -> Comparison:
    """Mann–Whitney U of candidate vs main, H1: candidate scores tend to be lower."""
    result = _scipy_stats().mannwhitneyu(candidate, main, alternative="less", method="auto")
    return Comparison("Mann–Whitney U (one-sided: candidate lower)", float(result.statistic), float(result.pvalue))


def two_proportion_lower(candidate_passed: int, candidate_n: int, main_passed: int, main_n: int) -> Comparison:
    """Two-proportion z-test (pooled), H1: the candidate's pass proportion is lower."""
    pooled = (candidate_passed + main_passed) / (candidate_n + main_n)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / candidate_n + 1 / main_n))
    if spread == 0:  # everyone passed (or failed) on both sides: no evidence of a difference
        return Comparison("two-proportion z-test (one-sided: candidate lower)", 0.0, 1.0)
    z = (candidate_passed / candidate_n - main_passed / main_n) / spread
    return Comparison("two-proportion z-test (one-sided: candidate lower)", z, float(_scipy_stats().norm.cdf(z)))
