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
from releases.services import gate_fold, gate_source, traffic
from releases.services.gate_source import CACHE, TELNYX

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


def _coverage(plan: RolloutPlan, telnyx: dict | None, cached: dict) -> dict:
    """(candidate, main) at Telnyx (the primary metric's results; None when Telnyx did not say)
    and in the cache (conversations): how much of the traffic the portal has synced."""
    pair = [plan.candidate_version_id, plan.main_version_id]
    return {"telnyx": None if telnyx is None else [telnyx.get(v, 0) for v in pair], "cache": [cached.get(v, 0) for v in pair]}


def live_gate(plan: RolloutPlan, step: RolloutStep, *, now=None) -> GateResult:
    """Every conversation since the plan's first live step, each metric's confidence sequence
    candidate − main, and the step's verdict (`stats.gate_verdict`). The numbers come from one
    source per plan (`gate_source`): Telnyx's per-version aggregates where they answer every
    metric, else the cache of synced conversations and their results."""
    now = max(now or timezone.now(), timezone.now())
    since = evidence_start(plan, step)
    window_start = step.window_started_at or step.applied_at
    keys = plan.judged_keys + plan.monitor_keys
    source = gate_source.plan_source(plan)
    answer = gate_source.from_telnyx(plan, keys if source != CACHE else keys[:1], since)
    source = source or (TELNYX if answer.usable else CACHE)
    read_error = ""
    try:
        traffic.sync_conversations_since(assistant_id=plan.assistant_id, since=max(since, step.applied_at - SYNC_OVERLAP))
        if source == CACHE:  # Telnyx's counts need no result read one conversation at a time
            traffic.read_insights(assistant_id=plan.assistant_id, since=since)
    except TelnyxError as exc:
        read_error = f" Could not read new traffic ({exc.user_message}); judged on what is cached."
    fold = gate_fold.current(plan, since, window_start)  # folded a tick at a time, not re-read whole
    window = {"n": fold.window_n, "hours": (now - window_start).total_seconds() / 3600}
    if source == TELNYX:
        tallies = answer.tallies if answer.usable else {}
        read_error = ""
        if answer.usable:
            window["n"] = gate_source.window_count(plan, answer, since, window_start)
        found = keys
    else:
        tallies = {version: {key: gate_fold.counts_of(tally) for key, tally in metrics.items()}
                   for version, metrics in fold.tallies.items()}
        found = sorted(set(tallies.get(plan.candidate_version_id, {})) | set(tallies.get(plan.main_version_id, {})))
    candidate, main = tallies.get(plan.candidate_version_id, {}), tallies.get(plan.main_version_id, {})
    metrics = [_compare(key, role, level, candidate.get(key, []), main.get(key, []), plan)
               for key, role, level in _roles(plan, found)]
    window_full = window["n"] >= plan.max_sample or window["hours"] * 3600 >= plan.max_step_seconds
    verdict = stats.gate_verdict([m["verdict"] for m in metrics if m["role"] != "monitor"], window_full=window_full)
    telnyx_counts = gate_source.primary_counts(plan, answer)
    counts = fold.counts
    have = ((telnyx_counts if source == TELNYX else counts).get(plan.candidate_version_id, 0),
            (telnyx_counts if source == TELNYX else counts).get(plan.main_version_id, 0))
    details = {"counts": counts, "metrics": metrics, "alpha": plan.alpha, "min_sample": plan.min_sample,
               "max_sample": plan.max_sample, "window": window, "since": since.isoformat(),
               "candidate": plan.candidate_version_id, "main": plan.main_version_id,
               "source": source, "source_note": answer.reason, "coverage": _coverage(plan, telnyx_counts if answer.usable else None, counts),
               "history": _history(plan, step, have, metrics)}
    summary = _summary(verdict, metrics, plan, have, window) + read_error
    if source == TELNYX and not answer.usable:
        summary = (f"Waiting for Telnyx's counts: {answer.reason}. This plan is judged on Telnyx's counts at every "
                   "look, so it is not judged on the cache instead." + (" The step's time is up." if window_full else ""))
    return _save(plan, step, GateResult.Kind.LIVE, verdict, summary, details)
