"""Suite runs as evidence about one assistant: only the tests that call it count, each test's
trials side by side (a tests × trials matrix), a flaky badge, and pass rates with a Wilson
score interval.

The data a batch's evidence is read from, for any page that compares runs:
- `SuiteRun` (one trigger of a suite): `run_ids`, `trials` (runs per test), the version per
  assistant (`versions`, else `version_id` for a suite calling one assistant);
- `TestRun` (one run of one test): `test_id`, `status` (passed | failed | error | running...);
- `RunTrigger.trial` (1..trials): which trial of its test a run started from the portal was;
- `AssistantTest.destination`: the assistant a test calls.

The Wilson interval (Wilson 1927; Newcombe 1998, method 3) treats every finished run as an
independent pass/fail draw with one pass probability. Runs of different tests are not draws
from one rate, so a suite's pooled interval is a summary, not an exact guarantee; each test's
own interval over its trials is the direct reading.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

from django.db.models import Q

from testing.models import FINAL_STATUSES, AssistantTest, RunTrigger, SuiteRun, TestRun
from testing.results import is_flaky, records_for

CONFIDENCE = 0.95


def wilson_interval(passed: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval of a proportion `passed`/`n` (two-sided, `confidence`);
    (0, 1) when nothing has finished. Checked against Newcombe (1998), table I."""
    if n <= 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)  # the stdlib's: importing scipy.stats costs every process seconds at start
    p = passed / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class Cell:
    """One trial of one test: its run ("" when it did not run) and status."""

    run_id: str = ""
    status: str = ""


@dataclass
class TestEvidence:
    __test__ = False  # not a pytest class

    test_id: str
    name: str
    destination: str
    cells: list[Cell] = field(default_factory=list)
    # `testing.results.is_flaky` over this batch's trials and the test's recent runs.
    flaky: bool = False

    @property
    def passed(self) -> int:
        return sum(1 for c in self.cells if c.status == "passed")

    @property
    def finished(self) -> int:
        return sum(1 for c in self.cells if c.status in FINAL_STATUSES)

    @property
    def failed(self) -> bool:
        return any(c.status in ("failed", "error") for c in self.cells)

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.passed, self.finished)

    @property
    def rate(self) -> float | None:
        return self.passed / self.finished if self.finished else None


@dataclass
class BatchEvidence:
    batch: SuiteRun
    assistant_id: str  # "" = every test of the suite
    version_id: str  # the version the assistant's tests ran on ("" = main at the time)
    tests: list[TestEvidence]

    @property
    def passed(self) -> int:
        return sum(t.passed for t in self.tests)

    @property
    def finished(self) -> int:
        return sum(t.finished for t in self.tests)

    @property
    def total(self) -> int:
        return sum(len([c for c in t.cells if c.run_id]) for t in self.tests)

    @property
    def is_final(self) -> bool:
        return self.finished >= self.total

    @property
    def all_passed(self) -> bool:
        return self.total > 0 and self.passed == self.total

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.passed, self.finished)

    @property
    def failed_tests(self) -> list[TestEvidence]:
        return [t for t in self.tests if t.failed]

    @property
    def trial_numbers(self) -> range:
        return range(1, max([self.batch.trials, *(len(t.cells) for t in self.tests)]) + 1)


def version_for(batch: SuiteRun, assistant_id: str) -> str:
    """The version `assistant_id`'s tests ran on in `batch` ("" = main at the time)."""
    if batch.versions:
        return batch.versions.get(assistant_id, "")
    return batch.version_id


def batch_evidence(batch: SuiteRun, assistant_id: str = "") -> BatchEvidence:
    """The batch's tests × trials, counting only the tests that call `assistant_id` (all when "")."""
    runs = list(TestRun.objects.filter(telnyx_id__in=batch.run_ids).only("telnyx_id", "test_id", "status", "created_at"))
    tests = AssistantTest.objects.filter(telnyx_id__in={r.test_id for r in runs}).only("telnyx_id", "name", "destination")
    if assistant_id:
        tests = tests.filter(destination=assistant_id)
    known = {t.telnyx_id: t for t in tests}
    trial_of = dict(RunTrigger.objects.filter(run_id__in=[r.telnyx_id for r in runs]).values_list("run_id", "trial"))
    by_test: dict[str, TestEvidence] = {}
    order = {run_id: i for i, run_id in enumerate(batch.run_ids)}
    for run in sorted(runs, key=lambda r: order.get(r.telnyx_id, 0)):
        test = known.get(run.test_id)
        if test is None:
            continue
        evidence = by_test.setdefault(run.test_id, TestEvidence(run.test_id, test.name, test.destination))
        # Runs started outside the portal have no trial number: they fill the next free one.
        trial = trial_of.get(run.telnyx_id) or len(evidence.cells) + 1
        while len(evidence.cells) < trial:
            evidence.cells.append(Cell())
        evidence.cells[trial - 1] = Cell(run.telnyx_id, run.status)
    width = max([batch.trials, *(len(e.cells) for e in by_test.values())])
    for evidence in by_test.values():  # a trial that did not run is an empty cell, so columns line up
        evidence.cells += [Cell() for _ in range(width - len(evidence.cells))]
    version = version_for(batch, assistant_id) if assistant_id else batch.version_id
    records = records_for(list(by_test))
    for evidence in by_test.values():
        # This batch's trials ran on one version (named, or main at the time); with the test's
        # recent runs, through the one definition the tests and suites lists use.
        record = records.get(evidence.test_id)
        trials = [(version or "", c.status) for c in evidence.cells if c.status]
        evidence.flaky = is_flaky(trials) or is_flaky(record.outcomes if record else [])
    return BatchEvidence(batch, assistant_id, version, sorted(by_test.values(), key=lambda t: t.name.lower()))


def batches_on_version(assistant_id: str, version_id: str) -> list[SuiteRun]:
    """The portal's batches that ran `assistant_id`'s tests on `version_id`, newest first."""
    candidates = SuiteRun.objects.filter(Q(version_id=version_id) | ~Q(versions={}))
    return [b for b in candidates if version_for(b, assistant_id) == version_id]

