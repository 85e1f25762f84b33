"""Release reads, from the database only: plans, approvals, and the assistant's timeline.

The timeline merges four sources (audit events, versions, suite runs, gate verdicts) in one
query: a UNION ALL of each source's newest rows (each its own ORDER BY … LIMIT, an index walk
that stops early), ordered by time and cut to the page; then each source's rows for that page
are loaded by id. A fixed number of queries, and rows read in proportion to the page number,
not to the assistant's history: nothing counts it (the pager says Newer / Older, not "of N").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from assistants.canary.display import SplitBar, VersionLabels, bars_from_rules
from assistants.models import Assistant, AssistantVersion
from portal.models import AuditEvent
from releases.models import ApprovalRequest, GateResult, RolloutPlan
from testing.models import SuiteRun
from testing.selectors import suite_runs_for_assistant

TIMELINE_PAGE = 30
MAX_TIMELINE_PAGE = 1000  # each source reads page × 30 rows: a deeper page is cut to this one
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


@dataclass
class TimelinePage:
    """A page of the timeline, as the pager draws it: no total (nothing counts the history)."""

    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _newest(queryset: QuerySet, at: str, limit: int) -> tuple[str, list]:
    """SQL for the source's newest `limit` rows as (ident, at), newest first."""
    rows = queryset.order_by(f"-{at}", "-pk").values_list("pk", at)[:limit]
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    return sql, list(params)


def _page_keys(sources: dict[str, list[QuerySet]], at: dict[str, str], number: int) -> list[tuple[str, int]]:
    """(kind, pk) of the page's entries plus one (to know there is a next page), newest first."""
    limit = number * TIMELINE_PAGE + 1
    parts, params = [], []
    for kind, querysets in sources.items():
        for queryset in querysets:
            sql, part_params = _newest(queryset, at[kind], limit)
            parts.append(f"SELECT '{kind}', s{len(parts)}.* FROM ({sql}) AS s{len(parts)}")  # kind: one of ours, not input
            params += part_params
    union = " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        # By position: the subqueries' columns keep their own tables' names.
        cursor.execute(f"SELECT * FROM ({union}) AS t ORDER BY 3 DESC, 2 DESC LIMIT %s OFFSET %s",
                       [*params, TIMELINE_PAGE + 1, (number - 1) * TIMELINE_PAGE])
        return [(kind, pk) for kind, pk, *_ in cursor.fetchall()]


def _audit_entry(event: AuditEvent, labels: VersionLabels) -> TimelineEntry:
    entry = TimelineEntry(event.created_at, "audit", event.username or "system", event.summary, event,
                          failed=event.outcome == AuditEvent.Outcome.FAILURE)
    rules = ((event.changes or {}).get("rules") or {}).get("after") if event.resource_type == "canary_deploy" else None
    if rules:
        entry.bars = bars_from_rules(rules, labels)
    return entry


def timeline_page(assistant_id: str, page_number) -> tuple[TimelinePage, list[TimelineEntry], VersionLabels]:
    """One page of the assistant's release timeline, newest first, and the version labels used."""
    try:
        number = max(1, min(int(page_number or 1), MAX_TIMELINE_PAGE))
    except (TypeError, ValueError):
        number = 1
    sources = {
        # One walk per resource type: each reads the (type, id, time) index in order and stops.
        "audit": [AuditEvent.objects.filter(resource_type=kind, resource_id=assistant_id) for kind in TIMELINE_RESOURCE_TYPES],
        "version": [AssistantVersion.objects.filter(assistant_id=assistant_id).exclude(created_at=None)],
        "suite_run": [suite_runs_for_assistant(assistant_id)],  # each run tested as the time index is walked
        "gate": [GateResult.objects.filter(plan__in=plans_for(assistant_id).values("pk"))
                 .exclude(verdict=GateResult.Verdict.WAITING)],
    }
    keys = _page_keys(sources, {"audit": "created_at", "version": "created_at", "suite_run": "started_at",
                                "gate": "evaluated_at"}, number)
    page = TimelinePage(number, has_next=len(keys) > TIMELINE_PAGE)
    keys = keys[:TIMELINE_PAGE]
    wanted: dict[str, list[int]] = {}
    for kind, pk in keys:
        wanted.setdefault(kind, []).append(pk)
    labels = version_labels(assistant_id)
    events = AuditEvent.objects.in_bulk(wanted.get("audit", []))
    versions = AssistantVersion.objects.in_bulk(wanted.get("version", []))
    runs = SuiteRun.objects.in_bulk(wanted.get("suite_run", []))
    gate_results = GateResult.objects.select_related("plan", "step").in_bulk(wanted.get("gate", []))
    entries = []
    for kind, pk in keys:
        if kind == "audit" and pk in events:
            entries.append(_audit_entry(events[pk], labels))
        elif kind == "version" and pk in versions:
            version = versions[pk]
            entries.append(TimelineEntry(version.created_at, kind, "", f"Version “{version.name or version.version_id}” created", version))
        elif kind == "suite_run" and pk in runs:
            run = runs[pk]
            entries.append(TimelineEntry(run.started_at, kind, run.username or "Telnyx",
                                         f"Suite “{run.suite}” ran on {labels.name(run.version_id) if run.version_id else 'main'}",
                                         run, failed=run.status in ("failed", "error")))
        elif kind == "gate" and pk in gate_results:
            result = gate_results[pk]
            entries.append(TimelineEntry(result.evaluated_at, kind, "rollout engine", f"{result.get_kind_display()} gate: {result.get_verdict_display()}",
                                         result, failed=result.verdict == GateResult.Verdict.FAIL))
    return page, entries, labels
