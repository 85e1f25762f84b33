"""Release reads, from the database only: plans, approvals, and the assistant's timeline.

The timeline merges four sources (audit events, versions, suite runs, gate verdicts) in one
UNION query ordered by time, pages it, then loads each source's rows for that page by id:
a fixed number of queries whatever the number of events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import CharField, F, QuerySet, Value
from django.utils import timezone

from assistants.canary.display import SplitBar, VersionLabels, bars_from_rules
from assistants.models import Assistant, AssistantVersion
from portal.models import AuditEvent
from releases.models import ApprovalRequest, GateResult, RolloutPlan
from testing.models import SuiteRun
from testing.selectors import suites_for_assistant

TIMELINE_PAGE = 30
TIMELINE_RESOURCE_TYPES = ("assistant", "canary_deploy", "release")


def plans_for(assistant_id: str) -> QuerySet[RolloutPlan]:
    return RolloutPlan.objects.filter(assistant_id=assistant_id)


def active_plan(assistant_id: str) -> RolloutPlan | None:
    """The running, paused or aborting plan of the assistant (at most one)."""
    return plans_for(assistant_id).filter(status__in=RolloutPlan.ACTIVE).first()


def pending_approvals(assistant_id: str) -> QuerySet[ApprovalRequest]:
    """Requests still waiting for a decision (not expired)."""
    return ApprovalRequest.objects.filter(assistant_id=assistant_id, status=ApprovalRequest.Status.PENDING,
                                          expires_at__gt=timezone.now())


def expired_approvals(assistant_id: str, limit: int = 10) -> list[ApprovalRequest]:
    """Requests nobody decided in time (an approved one not used in time too), newest first."""
    return list(ApprovalRequest.objects.filter(
        assistant_id=assistant_id, status__in=[ApprovalRequest.Status.PENDING, ApprovalRequest.Status.APPROVED],
        expires_at__lte=timezone.now())[:limit])


def approvals_with_steps() -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.select_related("plan", "step")


def version_labels(assistant_id: str) -> VersionLabels:
    """Names and colours for split bars: cached versions, plus the candidates of plans (so a
    candidate has its colour even before the Versions tab has cached it)."""
    versions = [{"id": v, "name": n} for v, n in
                AssistantVersion.objects.filter(assistant_id=assistant_id).values_list("version_id", "name")]
    known = {v["id"] for v in versions}
    for version_id, name in plans_for(assistant_id).values_list("candidate_version_id", "candidate_name").distinct():
        if version_id not in known:
            versions.append({"id": version_id, "name": name})
            known.add(version_id)
    main = Assistant.objects.filter(telnyx_id=assistant_id).values_list("version_id", flat=True).first() or ""
    return VersionLabels(versions, main)


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # audit | version | suite_run | gate
    who: str
    title: str
    obj: object
    failed: bool = False
    bars: list[SplitBar] = field(default_factory=list)


def _keyed(queryset: QuerySet, kind: str, at: str) -> QuerySet:
    return (queryset.order_by().annotate(source=Value(kind, output_field=CharField()), at=F(at), ident=F("pk"))
            .values_list("source", "ident", "at"))


def _audit_entry(event: AuditEvent, labels: VersionLabels) -> TimelineEntry:
    entry = TimelineEntry(event.created_at, "audit", event.username or "system", event.summary, event,
                          failed=event.outcome == AuditEvent.Outcome.FAILURE)
    rules = ((event.changes or {}).get("rules") or {}).get("after") if event.resource_type == "canary_deploy" else None
    if rules:
        entry.bars = bars_from_rules(rules, labels)
    return entry


def timeline_page(assistant_id: str, page_number) -> tuple[Page, list[TimelineEntry], VersionLabels]:
    """One page of the assistant's release timeline, newest first, and the version labels used."""
    suites = suites_for_assistant(assistant_id)
    sources = [
        _keyed(AuditEvent.objects.filter(resource_type__in=TIMELINE_RESOURCE_TYPES, resource_id=assistant_id),
               "audit", "created_at"),
        _keyed(AssistantVersion.objects.filter(assistant_id=assistant_id).exclude(created_at=None), "version", "created_at"),
        _keyed(SuiteRun.objects.filter(suite__in=suites), "suite_run", "started_at"),
        _keyed(GateResult.objects.filter(plan__assistant_id=assistant_id).exclude(verdict=GateResult.Verdict.WAITING),
               "gate", "evaluated_at"),
    ]
    union = sources[0].union(*sources[1:], all=True).order_by("-at", "-ident")
    page = Paginator(union, TIMELINE_PAGE).get_page(page_number)
    wanted: dict[str, list[int]] = {}
    for kind, pk, _ in page.object_list:
        wanted.setdefault(kind, []).append(pk)
    labels = version_labels(assistant_id)
    events = AuditEvent.objects.in_bulk(wanted.get("audit", []))
    versions = AssistantVersion.objects.in_bulk(wanted.get("version", []))
    runs = SuiteRun.objects.in_bulk(wanted.get("suite_run", []))
    gate_results = GateResult.objects.select_related("plan", "step").in_bulk(wanted.get("gate", []))
    entries = []
    for kind, pk, at in page.object_list:
        if kind == "audit" and pk in events:
            entries.append(_audit_entry(events[pk], labels))
        elif kind == "version" and pk in versions:
            version = versions[pk]
            entries.append(TimelineEntry(at, kind, "", f"Version “{version.name or version.version_id}” created", version))
        elif kind == "suite_run" and pk in runs:
            run = runs[pk]
            entries.append(TimelineEntry(at, kind, run.username or "Telnyx",
                                         f"Suite “{run.suite}” ran on {labels.name(run.version_id) if run.version_id else 'main'}",
                                         run, failed=run.status in ("failed", "error")))
        elif kind == "gate" and pk in gate_results:
            result = gate_results[pk]
            entries.append(TimelineEntry(at, kind, "rollout engine", f"{result.get_kind_display()} gate: {result.get_verdict_display()}",
                                         result, failed=result.verdict == GateResult.Verdict.FAIL))
    return page, entries, labels
