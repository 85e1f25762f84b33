"""The promotion gate: a version becomes main only if the latest run of each of the assistant's
release suites on that exact version passed (its own tests only), or an Admin overrides with a
written reason.

`promotion_gate` is the hook the promote view (and the rollout engine) calls before
promoting; it also routes the promotion through a second Admin when two-person approval
is on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from assistants.selectors import version_names_of
from core import audit
from portal.roles import ADMINISTER, require_perm
from releases.models import ApprovalRequest, PromotionOverride
from releases.services.approvals import ApprovalRefused, approval_open, approval_use
from releases.services.digest import ContentUnreadable
from releases.services.policy import RESOURCE_TYPE, designated_suites, two_person_required
from testing.evidence import batch_evidence, batches_on_version
from testing.models import SuiteRun
from testing.selectors import suites_for_assistant


@dataclass
class PromotionCheck:
    passed: bool
    reason: str
    # The latest batch of each release suite on the version (what the reason is about).
    suite_runs: list[SuiteRun] = field(default_factory=list)


@dataclass
class PromotionDecision:
    """`allowed`: promote now. Otherwise `refusal` says why, or `approval` waits for a second Admin."""

    allowed: bool
    check: PromotionCheck
    refusal: str = ""
    approval: ApprovalRequest | None = None


def release_suites(assistant_id: str) -> list[str]:
    """The suites a version of the assistant must pass: those it designates (all by default)."""
    return designated_suites(assistant_id, suites_for_assistant(assistant_id))


def promotion_check(*, assistant_id: str, version_id: str) -> PromotionCheck:
    """Did the latest run of each release suite on exactly `version_id` pass, counting only the
    tests that call this assistant (every trial)? A smoke run cannot stand in for a full suite."""
    suites = release_suites(assistant_id)
    if not suites:
        return PromotionCheck(False, "The assistant has no release suites (no suite has a test calling it), "
                                     "so nothing has checked this version.")
    latest: dict[str, SuiteRun] = {}
    for batch in batches_on_version(assistant_id, version_id):  # newest first
        if batch.suite in suites:
            latest.setdefault(batch.suite, batch)
    problems = []
    for suite in suites:
        batch = latest.get(suite)
        if batch is None:
            problems.append(f"“{suite}” has not run on it")
            continue
        evidence = batch_evidence(batch, assistant_id)
        if not evidence.is_final:
            problems.append(f"“{suite}” is still running on it")
        elif not evidence.all_passed:
            problems.append(f"“{suite}” failed on it: {evidence.passed} of {evidence.total} runs of this "
                            f"assistant's tests passed ({', '.join(t.name for t in evidence.failed_tests)} failed)")
    runs = list(latest.values())
    if problems:
        return PromotionCheck(False, f"Release suites on this version: {'; '.join(problems)}.", runs)
    return PromotionCheck(True, f"Every release suite passed on this version ({', '.join(suites)}).", runs)


def version_label(assistant_id: str, version_id: str) -> str:
    """A version as a person reads it: “its name” (short id), never the whole UUID."""
    name = version_names_of(assistant_id, [version_id]).get(version_id, "")
    return f"version “{name}” ({version_id[:8]})" if name else f"version {version_id[:8]}"


def _record_override(*, user, assistant_id: str, version_id: str, reason: str, check: PromotionCheck) -> None:
    PromotionOverride.objects.create(assistant_id=assistant_id, version_id=version_id, reason=reason,
                                     blocked_because=check.reason, user=user, username=user.username)
    audit.record(user=user, action="override", resource_type=RESOURCE_TYPE, resource_id=assistant_id,
                 summary=f"Overrode the promotion gate for {version_label(assistant_id, version_id)}: {reason}",
                 changes={"blocked because": {"before": check.reason, "after": "overridden"}})


def promotion_gate(*, user, assistant_id: str, version_id: str, override_reason: str = "",
                   plan=None, check_suites: bool = True) -> PromotionDecision:
    """Decide whether `user` may promote `version_id` now.

    A failing check refuses unless `override_reason` is given (recorded and audited);
    `check_suites=False` (a rollback to the previous main) skips it. With two-person approval
    on, an approved, unexpired request is used if the version is still what was approved;
    otherwise a pending request is opened (or the open one returned) for a second Admin.
    """
    require_perm(user, ADMINISTER)
    check = promotion_check(assistant_id=assistant_id, version_id=version_id)
    reason = override_reason.strip()
    if check_suites and not check.passed and not reason:
        return PromotionDecision(False, check, refusal=f"Promotion refused. {check.reason} "
                                                       "An Admin can override with a written reason.")
    overriding = check_suites and not check.passed
    if not two_person_required(assistant_id):
        if overriding:
            _record_override(user=user, assistant_id=assistant_id, version_id=version_id, reason=reason, check=check)
        return PromotionDecision(True, check)
    requests = ApprovalRequest.objects.filter(assistant_id=assistant_id, version_id=version_id,
                                              kind=ApprovalRequest.Kind.PROMOTION, plan=plan,
                                              expires_at__gt=timezone.now())
    try:
        approved = requests.filter(status=ApprovalRequest.Status.APPROVED).first()
        if approved is not None and approval_use(approved, user=user):
            return PromotionDecision(True, check, approval=approved)
        pending = requests.filter(status=ApprovalRequest.Status.PENDING).first()
        if pending is None:
            if overriding:
                _record_override(user=user, assistant_id=assistant_id, version_id=version_id, reason=reason, check=check)
            pending = approval_open(user=user, kind=ApprovalRequest.Kind.PROMOTION, assistant_id=assistant_id,
                                    version_id=version_id, plan=plan, override_reason=reason,
                                    payload={} if check_suites else {"rollback": True},
                                    summary=f"Asked a second Admin to approve {'promoting' if check_suites else 'rolling back to'} "
                                            f"version {version_id}")
    except (ApprovalRefused, ContentUnreadable) as exc:
        return PromotionDecision(False, check, refusal=f"Promotion refused. {exc}")
    return PromotionDecision(False, check, approval=pending)
