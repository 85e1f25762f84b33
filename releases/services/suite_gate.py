"""The suite gate: the suites started on the candidate when the plan began, read as evidence
about this assistant only (its own tests, every trial).

It passes when the lower end of the 95% Wilson interval of the pass rate reaches the plan's
threshold: with a true pass rate below the threshold, a suite passes at most about 2.5% of the
time (the interval's one-sided miss rate; tests/releases/test_suite_gate.py checks it by
simulation through `suite_verdict`). Small suites cannot prove much: 10 of 10 passing gives a
lower bound of 72%, which is why plans run each test several times.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from releases.models import GateResult, RolloutPlan, RolloutStep
from testing.evidence import CONFIDENCE, BatchEvidence, batch_evidence, wilson_interval
from testing.models import SuiteRun
from testing.services.suites import suite_run_refresh

Verdict = GateResult.Verdict


def _save(plan: RolloutPlan, step: RolloutStep, verdict: str, summary: str, details: dict) -> GateResult:
    result, _ = GateResult.objects.update_or_create(
        plan=plan, step=step, kind=GateResult.Kind.TESTS,
        defaults={"verdict": verdict, "summary": summary, "details": details, "evaluated_at": timezone.now()})
    return result


def suite_verdict(passed: int, finished: int, threshold: float) -> tuple[str, float, float]:
    """(verdict, lower, upper): PASS when the Wilson lower bound reaches `threshold`."""
    low, high = wilson_interval(passed, finished, CONFIDENCE)
    return (Verdict.PASS if finished and low >= threshold else Verdict.FAIL), low, high


def _failed(evidence: list[BatchEvidence]) -> list[dict]:
    """Each test with a failed or errored trial, with links to those runs."""
    return [{"test": t.name, "test_id": t.test_id, "suite": e.batch.suite, "flaky": t.flaky,
             "runs": [{"trial": i, "status": c.status, "url": reverse("testing:run-detail", args=[t.test_id, c.run_id])}
                      for i, c in enumerate(t.cells, start=1) if c.status in ("failed", "error")]}
            for e in evidence for t in e.failed_tests]


def tests_gate(plan: RolloutPlan, step: RolloutStep) -> GateResult:
    batches = list(SuiteRun.objects.filter(batch_id__in=list(plan.suite_batches.values())))
    if not batches:
        return _save(plan, step, Verdict.FAIL,
                     "No test suite ran on the candidate: no suite has a test calling this assistant, "
                     "or starting them failed.", {})
    problems = []
    for batch in batches:
        if not batch.is_final and (error := suite_run_refresh(batch)):
            problems.append(f"“{batch.suite}”: {error.user_message}")
    evidence = [batch_evidence(b, plan.assistant_id) for b in batches]
    passed, finished, total = (sum(e.passed for e in evidence), sum(e.finished for e in evidence),
                               sum(e.total for e in evidence))
    suites = [{"suite": e.batch.suite, "passed": e.passed, "finished": e.finished, "total": e.total,
               "trials": e.batch.trials, "status": e.batch.status,
               "url": reverse("testing:suite-run-detail", args=[e.batch.suite, e.batch.batch_id])} for e in evidence]
    verdict, low, high = suite_verdict(passed, finished, plan.suite_threshold)
    failed = _failed(evidence)
    details = {"suites": suites, "pass_rate": passed / finished if finished else None, "lower": low, "upper": high,
               "confidence": CONFIDENCE, "threshold": plan.suite_threshold, "failed": failed}
    if finished < total:
        note = f" Could not refresh {', '.join(problems).rstrip('.')}." if problems else ""
        return _save(plan, step, Verdict.WAITING, f"Waiting for the suites: {finished} of {total} runs of this "
                                                  f"assistant's tests finished.{note}", details)
    if not total:
        return _save(plan, step, Verdict.FAIL, "None of the suites' tests calls this assistant.", details)
    names = ", ".join(dict.fromkeys(f["test"] for f in failed))
    summary = (f"{passed} of {finished} runs of this assistant's tests passed on the candidate ({passed / finished:.0%}; "
               f"{CONFIDENCE:.0%} interval {low:.0%}–{high:.0%}). The plan needs the lower end to reach "
               f"{plan.suite_threshold:.0%}." + (f" Failed: {names}." if names else ""))
    return _save(plan, step, verdict, summary, details)
