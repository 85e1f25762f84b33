"""Gate evaluation: the suites' pass rate on the candidate, and live traffic candidate vs main.

Each evaluation updates one `GateResult` per step and gate (so the plan page shows the
latest numbers while a gate waits) and returns it; the engine acts on its verdict.
"""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from conversations.insights.selectors import completed_values_per_conversation
from conversations.models import Conversation
from portal.telnyx import TelnyxError
from releases import stats
from releases.models import GateResult, RolloutPlan, RolloutStep
from releases.services import traffic
from testing.models import SuiteRun
from testing.services.suites import suite_run_refresh

Verdict = GateResult.Verdict


def _save(plan: RolloutPlan, step: RolloutStep, kind: str, verdict: str, summary: str, details: dict) -> GateResult:
    result, _ = GateResult.objects.update_or_create(
        plan=plan, step=step, kind=kind,
        defaults={"verdict": verdict, "summary": summary, "details": details, "evaluated_at": timezone.now()})
    return result


def tests_gate(plan: RolloutPlan, step: RolloutStep) -> GateResult:
    """The suites started against the candidate when the plan began: pass rate vs threshold."""
    batches = list(SuiteRun.objects.filter(batch_id__in=list(plan.suite_batches.values())))
    if not batches:
        return _save(plan, step, GateResult.Kind.TESTS, Verdict.FAIL,
                     "No test suite ran on the candidate: the assistant has no suites, or starting them failed.", {})
    problems = []
    for batch in batches:
        if not batch.is_final and (error := suite_run_refresh(batch)):
            problems.append(f"“{batch.suite}”: {error.user_message}")
    suites = [{"suite": b.suite, "passed": b.passed, "finished": b.finished, "total": b.total, "status": b.status}
              for b in batches]
    finished = sum(b.finished for b in batches)
    rate = sum(b.passed for b in batches) / finished if finished else None
    details = {"suites": suites, "pass_rate": rate, "threshold": plan.suite_threshold}
    if not all(b.is_final for b in batches):
        note = f" Could not refresh {', '.join(problems)}." if problems else ""
        return _save(plan, step, GateResult.Kind.TESTS, Verdict.WAITING,
                     f"Waiting for the suites: {finished} of {sum(b.total for b in batches)} tests finished.{note}", details)
    verdict = Verdict.PASS if rate is not None and rate >= plan.suite_threshold else Verdict.FAIL
    summary = (f"Suites on the candidate passed {rate or 0:.0%} of tests; the plan needs {plan.suite_threshold:.0%}.")
    return _save(plan, step, GateResult.Kind.TESTS, verdict, summary, details)


def _metric_keys(plan: RolloutPlan, rows: list[dict]) -> list[str]:
    wanted = [k.strip() for k in plan.metrics.split(",") if k.strip()]
    found = sorted({key for row in rows for key in row["values"]})
    return [k for k in found if k in wanted] if wanted else found


def _compare(key: str, candidate: list, main: list, plan: RolloutPlan) -> dict:
    """One metric: both distributions, the test, its p-value and the verdict."""
    kind = "pass/fail" if all(isinstance(v, bool) for v in candidate + main) else "score"
    entry: dict = {"key": key, "kind": kind, "candidate_n": len(candidate), "main_n": len(main)}
    if kind == "pass/fail":
        c_pass, m_pass = sum(candidate), sum(main)
        entry.update(candidate={"passed": c_pass, "rate": c_pass / len(candidate) if candidate else None},
                     main={"passed": m_pass, "rate": m_pass / len(main) if main else None})
    else:
        entry.update(candidate=_describe(candidate), main=_describe(main))
    if len(candidate) < plan.min_sample or len(main) < plan.min_sample:
        entry.update(test="", p_value=None, verdict=Verdict.WAITING)
        return entry
    if kind == "pass/fail":
        result = stats.two_proportion_lower(c_pass, len(candidate), m_pass, len(main))
    else:
        result = stats.mann_whitney_lower([float(v) for v in candidate], [float(v) for v in main])
    entry.update(test=result.test, statistic=result.statistic, p_value=result.p_value, p_text=p_text(result.p_value),
                 verdict=Verdict.FAIL if result.p_value < plan.alpha else Verdict.PASS)
    return entry


def p_text(p_value: float) -> str:
    """A p-value as people read it: four decimals, or "< 0.0001"."""
    return "< 0.0001" if p_value < 0.0001 else f"= {p_value:.4f}"


def _describe(values: list) -> dict:
    numbers = sorted(float(v) for v in values)
    if not numbers:
        return {"n": 0}
    mid = len(numbers) // 2
    median = numbers[mid] if len(numbers) % 2 else (numbers[mid - 1] + numbers[mid]) / 2
    return {"n": len(numbers), "min": numbers[0], "median": median, "max": numbers[-1],
            "mean": sum(numbers) / len(numbers)}


def live_gate(plan: RolloutPlan, step: RolloutStep) -> GateResult:
    """Conversations since the step began, per version, and each insight metric candidate vs main."""
    since = step.applied_at
    try:
        traffic.sync_conversations_since(assistant_id=plan.assistant_id, since=since)
        traffic.read_insights(assistant_id=plan.assistant_id, since=since)
        read_error = ""
    except TelnyxError as exc:
        read_error = f" Could not read new traffic ({exc.user_message}); judged on what is cached."
    counts = dict(Conversation.objects.filter(assistant_id=plan.assistant_id, created_at__gte=since)
                  .values_list("assistant_version_id").annotate(n=Count("pk")).order_by())
    rows = completed_values_per_conversation(assistant_id=plan.assistant_id, since=since,
                                             version_ids=[plan.candidate_version_id, plan.main_version_id])
    metrics = []
    for key in _metric_keys(plan, rows):
        candidate = [r["values"][key] for r in rows if r["assistant_version_id"] == plan.candidate_version_id and key in r["values"]]
        main = [r["values"][key] for r in rows if r["assistant_version_id"] == plan.main_version_id and key in r["values"]]
        metrics.append(_compare(key, candidate, main, plan))
    details = {"counts": counts, "metrics": metrics, "alpha": plan.alpha, "min_sample": plan.min_sample,
               "candidate": plan.candidate_version_id, "main": plan.main_version_id}
    failing = [m for m in metrics if m["verdict"] == Verdict.FAIL]
    if failing:
        worst = min(failing, key=lambda m: m["p_value"])
        return _save(plan, step, GateResult.Kind.LIVE, Verdict.FAIL,
                     f"The candidate is worse than main on “{worst['key']}”: {worst['test']}, "
                     f"p {p_text(worst['p_value'])}, below the significance level {plan.alpha:g}.{read_error}", details)
    if not metrics or any(m["verdict"] == Verdict.WAITING for m in metrics):
        have = counts.get(plan.candidate_version_id, 0), counts.get(plan.main_version_id, 0)
        return _save(plan, step, GateResult.Kind.LIVE, Verdict.WAITING,
                     f"Waiting for {plan.min_sample} conversations with insight results per version "
                     f"(candidate {have[0]}, main {have[1]} so far).{read_error}", details)
    return _save(plan, step, GateResult.Kind.LIVE, Verdict.PASS,
                 f"The candidate is not worse than main on {', '.join(m['key'] for m in metrics)} "
                 f"(every p ≥ {plan.alpha:g}).{read_error}", details)
