"""Comparing two sets of test runs (two suite runs, or two runs of one test), test by test and
criterion by criterion: improved, regressed or unchanged, regressions first.

A side holds every finished run of each test (several when a suite run repeats a test as
trials); a test's or a criterion's result on a side is its pass rate over those runs, so one
run per test compares passed against failed, and trials compare rates. A higher rate on the
right (the newer side) is "improved", a lower one "regressed", an equal one "unchanged". With
trials a small difference can be chance: the rates and counts are shown so a reader can judge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from testing.models import FINAL_STATUSES

IMPROVED, REGRESSED, UNCHANGED, ONLY_LEFT, ONLY_RIGHT = "improved", "regressed", "unchanged", "only_left", "only_right"
#: Regressions first: they are what a reader came to see.
ORDER = {REGRESSED: 0, IMPROVED: 1, ONLY_LEFT: 2, ONLY_RIGHT: 3, UNCHANGED: 4}


@dataclass
class Rate:
    passed: int
    total: int

    @property
    def value(self) -> float | None:
        return self.passed / self.total if self.total else None


def _outcome(left: Rate, right: Rate) -> str:
    if not left.total:
        return ONLY_RIGHT if right.total else UNCHANGED
    if not right.total:
        return ONLY_LEFT
    if right.value > left.value:
        return IMPROVED
    return REGRESSED if right.value < left.value else UNCHANGED


@dataclass
class CriterionDelta:
    name: str
    left: Rate
    right: Rate
    outcome: str


@dataclass
class TestDelta:
    __test__ = False  # not a pytest class

    test_id: str
    name: str
    left_runs: list
    right_runs: list
    left: Rate
    right: Rate
    outcome: str
    criteria: list[CriterionDelta] = field(default_factory=list)

    @property
    def left_run(self):
        """The run whose transcript this side shows: a failed one if any (that is the story)."""
        return _shown(self.left_runs)

    @property
    def right_run(self):
        return _shown(self.right_runs)

    @property
    def trials(self) -> bool:
        return max(self.left.total, self.right.total) > 1


def _shown(runs: list):
    return next((r for r in runs if r.status != "passed"), runs[0] if runs else None)


def _rate(runs: list) -> Rate:
    return Rate(sum(1 for r in runs if r.status == "passed"), len(runs))


def _criterion_rate(runs: list, name: str) -> Rate:
    verdicts = [item.get("status") for r in runs for item in (r.payload.get("detail_status") or []) if item.get("name") == name]
    return Rate(verdicts.count("passed"), len(verdicts))


def _criteria(left_runs: list, right_runs: list) -> list[CriterionDelta]:
    names = dict.fromkeys(item.get("name") for r in [*left_runs, *right_runs]
                          for item in (r.payload.get("detail_status") or []) if item.get("name"))
    deltas = []
    for name in names:
        left, right = _criterion_rate(left_runs, name), _criterion_rate(right_runs, name)
        deltas.append(CriterionDelta(name, left, right, _outcome(left, right)))
    return sorted(deltas, key=lambda d: ORDER[d.outcome])


@dataclass
class Comparison:
    rows: list[TestDelta]

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {outcome: self.count(outcome) for outcome in ORDER}


def group_final(runs) -> dict[str, list]:
    """{test id: its finished runs}, in the order given."""
    grouped: dict[str, list] = {}
    for run in runs:
        if run is not None and run.status in FINAL_STATUSES:
            grouped.setdefault(run.test_id, []).append(run)
    return grouped


def compare_runs(left_runs, right_runs, names: dict[str, str]) -> Comparison:
    """Compare two sets of `TestRun`s (any order; unfinished runs are left out)."""
    left, right = group_final(left_runs), group_final(right_runs)
    rows = []
    for test_id in dict.fromkeys([*left, *right]):
        a, b = left.get(test_id, []), right.get(test_id, [])
        rows.append(TestDelta(test_id, names.get(test_id, test_id), a, b, _rate(a), _rate(b),
                              _outcome(_rate(a), _rate(b)), _criteria(a, b)))
    rows.sort(key=lambda d: (ORDER[d.outcome], d.name.lower()))
    return Comparison(rows)
