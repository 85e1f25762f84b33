"""Gate evaluation: live traffic candidate vs main (the suites' gate is `suite_gate`).

Each evaluation updates one `GateResult` per step and gate (so the plan page shows the
latest numbers while a gate waits) and returns it; the engine acts on its verdict.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from portal.telnyx import TelnyxError
from releases import stats
from releases.models import GateResult, RolloutPlan, RolloutStep
from releases.services import gate_fold, traffic

Verdict = GateResult.Verdict


def _save(plan: RolloutPlan, step: RolloutStep, kind: str, verdict: str, summary: str, details: dict) -> GateResult:
    result, _ = GateResult.objects.update_or_create(
        plan=plan, step=step, kind=kind,
        defaults={"verdict": verdict, "summary": summary, "details": details, "evaluated_at": timezone.now()})
    return result


HISTORY_POINTS = 150  # points kept per step for the plan page's picture (older ones thinned)
SYNC_OVERLAP = timedelta(minutes=5)  # re-list a little before the step: a tick may have missed them


def evidence_start(plan: RolloutPlan, step: RolloutStep):
    """Where the live gate's evidence begins: when the plan's first live-gated step went live.
    The confidence sequence is time-uniform, so one sequence covers every step of the plan."""
    first = (plan.steps.filter(gate_live=True, applied_at__isnull=False).order_by("index")
             .values_list("applied_at", flat=True).first())
    return min(first, step.applied_at) if first else step.applied_at


def _roles(plan: RolloutPlan, found: list[str]) -> list[tuple[str, str, float]]:
    """(key, role, level) of every metric shown: the primary and guardrails share the plan's
    level (`stats.split_alpha`); monitor-only ones are shown at the primary's level."""
    judged = plan.judged_keys
    if judged:
        primary_alpha, guard_alpha = stats.split_alpha(plan.alpha, len(judged) - 1)
        roles = [(judged[0], "primary", primary_alpha)] + [(k, "guardrail", guard_alpha) for k in judged[1:]]
    else:  # an older plan with no metrics named: every key found is a guardrail, the level split evenly
        roles = [(k, "guardrail", plan.alpha / len(found)) for k in found]
        primary_alpha = roles[0][2] if roles else plan.alpha
    return roles + [(k, "monitor", primary_alpha) for k in plan.monitor_keys]


def _compare(key: str, role: str, level: float, candidate: list, main: list, plan: RolloutPlan) -> dict:
    """One metric: both samples, given as (value, count) pairs (`gate_fold.counts_of`), the
    confidence sequence of the difference, and its verdict."""
    c, m = stats.Sample.of_counts(candidate), stats.Sample.of_counts(main)
    kind = "pass/fail" if c.binary and m.binary else "score"
    margin = plan.margin_for(key)
    entry: dict = {"key": key, "role": role, "kind": kind, "margin": margin, "alpha": level,
                   "candidate_n": c.n, "main_n": m.n}
    if kind == "pass/fail":
        entry.update(candidate={"passed": int(c.total), "rate": c.mean if c.n else None},
                     main={"passed": int(m.total), "rate": m.mean if m.n else None})
    else:
        entry.update(candidate=_describe(candidate, c), main=_describe(main, m))
    judgement = stats.judge(c, m, margin=margin, alpha=level, planned_n=plan.max_sample, min_sample=plan.min_sample)
    entry["verdict"] = judgement.verdict
    if judgement.interval is not None:
        entry.update(estimate=judgement.interval.estimate, lower=judgement.interval.lower,
                     upper=judgement.interval.upper)
    return entry


def _describe(counts: list, sample: stats.Sample) -> dict:
    """Min, median, max and mean of a score from its (value, count) pairs: O(distinct values)."""
    if not sample.n:
        return {"n": 0}
    ordered = sorted((float(v), count) for v, count in counts)

    def nth(index: int) -> float:
        for value, count in ordered:
            if index < count:
                return value
            index -= count
        raise IndexError(index)

    mid = sample.n // 2
    median = nth(mid) if sample.n % 2 else (nth(mid - 1) + nth(mid)) / 2
    return {"n": sample.n, "min": ordered[0][0], "median": median, "max": ordered[-1][0], "mean": sample.mean}


def interval_text(m: dict) -> str:
    return (f"difference {m['estimate']:+.3f}, always-valid interval {m['lower']:+.3f} to {m['upper']:+.3f} "
            f"(margin −{m['margin']:g}, level {m['alpha']:.3g})")


def _history(plan: RolloutPlan, step: RolloutStep, counts: tuple[int, int], metrics: list[dict]) -> list[dict]:
    """The previous points of this step plus this one when the sample grew: the picture's data."""
    previous = (GateResult.objects.filter(plan=plan, step=step, kind=GateResult.Kind.LIVE)
                .values_list("details", flat=True).first() or {})
    history = list(previous.get("history", []))
    values = {m["key"]: [m["estimate"], m["lower"], m["upper"]] for m in metrics if "estimate" in m}
    if values and (not history or history[-1]["n"] != list(counts)):
        history.append({"at": timezone.now().isoformat(), "n": list(counts), "values": values})
    if len(history) > HISTORY_POINTS:  # keep the first and the newest, thin the middle
        history = history[:1] + history[1:-1][::2] + history[-1:]
    return history


def _summary(verdict: str, metrics: list[dict], plan: RolloutPlan, have: tuple[int, int], window: dict) -> str:
    judged = [m for m in metrics if m["role"] != "monitor"]
    if verdict == Verdict.FAIL:
        worst = min((m for m in judged if m["verdict"] == Verdict.FAIL), key=lambda m: m["upper"])
        return (f"The candidate is worse than main on “{worst['key']}”: {interval_text(worst)}; "
                f"the whole interval is below 0 and a drop of the margin is not ruled out.")
    if verdict == Verdict.PASS:
        return (f"The candidate is not worse than main by the margin on {', '.join(m['key'] for m in judged)}: "
                "every interval's lower end is above minus its margin.")
    if any("estimate" not in m for m in judged) or not judged:
        return (f"Waiting for {plan.min_sample} conversations with insight results per version "
                f"(candidate {have[0]}, main {have[1]} so far).")
    open_ = [m for m in judged if m["verdict"] != Verdict.PASS]
    detail = "; ".join(f"“{m['key']}” {interval_text(m)}" for m in open_)
    if verdict == Verdict.INCONCLUSIVE:
        return (f"Inconclusive: no decision within the step's maximum ({window['n']} of {plan.max_sample} candidate "
                f"conversations, {window['hours']:.1f} of {plan.max_step_seconds / 3600:g} h): {detail}. "
                "An Admin decides: resume for another window, skip the step, or abort.")
    return f"Not decided yet: {detail}."


def live_gate(plan: RolloutPlan, step: RolloutStep, *, now=None) -> GateResult:
    """Every conversation since the plan's first live step, each metric's confidence sequence
    candidate − main, and the step's verdict (`stats.gate_verdict`)."""
    now = max(now or timezone.now(), timezone.now())
    since = evidence_start(plan, step)
    try:
        traffic.sync_conversations_since(assistant_id=plan.assistant_id, since=max(since, step.applied_at - SYNC_OVERLAP))
        traffic.read_insights(assistant_id=plan.assistant_id, since=since)
        read_error = ""
    except TelnyxError as exc:
        read_error = f" Could not read new traffic ({exc.user_message}); judged on what is cached."
    window_start = step.window_started_at or step.applied_at
    fold = gate_fold.current(plan, since, window_start)  # folded a tick at a time, not re-read whole
    counts = fold.counts
    window = {"n": fold.window_n, "hours": (now - window_start).total_seconds() / 3600}
    candidate, main = fold.tallies.get(plan.candidate_version_id, {}), fold.tallies.get(plan.main_version_id, {})
    metrics = [_compare(key, role, level, gate_fold.counts_of(candidate.get(key, {})),
                        gate_fold.counts_of(main.get(key, {})), plan)
               for key, role, level in _roles(plan, sorted(set(candidate) | set(main)))]
    window_full = window["n"] >= plan.max_sample or window["hours"] * 3600 >= plan.max_step_seconds
    verdict = stats.gate_verdict([m["verdict"] for m in metrics if m["role"] != "monitor"], window_full=window_full)
    have = (counts.get(plan.candidate_version_id, 0), counts.get(plan.main_version_id, 0))
    details = {"counts": counts, "metrics": metrics, "alpha": plan.alpha, "min_sample": plan.min_sample,
               "max_sample": plan.max_sample, "window": window, "since": since.isoformat(),
               "candidate": plan.candidate_version_id, "main": plan.main_version_id,
               "history": _history(plan, step, have, metrics)}
    return _save(plan, step, GateResult.Kind.LIVE, verdict, _summary(verdict, metrics, plan, have, window) + read_error,
                 details)
