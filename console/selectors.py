"""The console pages' reads: the audit log, sync states, task records, users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import Count, Max, Q, QuerySet, Sum

from portal.models import AuditDay, AuditEvent, SyncState, TaskRecord
from portal.roles import ADMINISTER

# The one rule for who reads which audit events, in the list, an event's page, its CSV export
# and the dashboard alike: site administration (users and their roles, passwords and invite
# links; logins and lockouts, with addresses; background task retries) is for Admins only.
# Everything else is the team's history of its Telnyx resources, which every role reads on
# those resources' own pages too.
ADMIN_ONLY_AUDIT_TYPES = ("user", "login", "task")


def audit_log(user) -> QuerySet[AuditEvent]:
    """The audit events `user` may read."""
    events = AuditEvent.objects.select_related("user")
    if not user.has_perm(ADMINISTER):
        events = events.exclude(resource_type__in=ADMIN_ONLY_AUDIT_TYPES)
    return events


def audit_days(user) -> QuerySet[AuditDay]:
    """The per-day counts of the events `user` may read (the same rule as `audit_log`)."""
    days = AuditDay.objects.filter(n__gt=0)
    if not user.has_perm(ADMINISTER):
        days = days.exclude(resource_type__in=ADMIN_ONLY_AUDIT_TYPES)
    return days


# The audit log's filters the per-day counts can answer, and the lookup on `AuditDay` for each.
AUDIT_DAY_FILTERS = {"action": "action", "resource_type": "resource_type", "username": "username", "outcome": "outcome",
                     "since": "day__gte", "until": "day__lte"}


def audit_count(user, active: dict, query: str) -> int | None:
    """The audit log's total from the per-day counts (a sum over days × kinds, not a COUNT of
    every event) when no search is on; None when a search is (the list counts its matches)."""
    if query or set(active) - set(AUDIT_DAY_FILTERS):
        return None
    days = audit_days(user)
    for name, value in active.items():
        days = days.filter(**{AUDIT_DAY_FILTERS[name]: value})
    return days.aggregate(n=Sum("n"))["n"] or 0


def recent_audit_events(user, limit: int = 10) -> list[AuditEvent]:
    return list(audit_log(user)[:limit])


# Per-object syncs ("versions:<assistant id>") are one row each: what the group is called.
GROUP_LABELS = {"versions": ("Versions lists", "assistant"),
                "observed-split": ("Traffic split by version (from conversations)", "assistant")}
# Which list each sync fills, in the words of the page that shows it.
LISTING_LABELS = {
    "assistants": "Assistants list", "conversations": "Conversations list", "assistant-tests": "Tests list",
    "test-suites": "Suites list", "models": "Models list", "fine_tuning_jobs": "Fine-tuning jobs list",
    "mcp_servers": "MCP servers list", "buckets": "Buckets list", "embedding_tasks": "Embedding tasks list",
    "clusters": "Clusters list", "insight_templates": "Insight templates list", "insight_groups": "Insight groups list",
}


@dataclass
class SyncRow:
    label: str
    synced_at: datetime | None
    item_count: int
    last_error: str = ""
    count: int = 1  # listings in the row
    unit: str = ""  # what each of them belongs to ("assistant")


def sync_states_by_resource(resources) -> dict[str, SyncState]:
    """The SyncState of each of these listings that has one."""
    if not resources:
        return {}
    return {s.resource: s for s in SyncState.objects.filter(resource__in=resources)}


def all_sync_states() -> list[SyncState]:
    return list(SyncState.objects.order_by("resource"))


def sync_states(states: list[SyncState] | None = None) -> list[SyncRow]:
    """Each listing's last sync (from `states` when the caller read them); per-object listings
    grouped by kind: the most recent sync, their items summed, and the latest failure if any of
    them failed last time."""
    rows: dict[str, SyncRow] = {}
    for state in (all_sync_states() if states is None else states):
        kind, per_object, _ = state.resource.partition(":")
        if not per_object:
            rows[kind] = SyncRow(LISTING_LABELS.get(kind) or kind.replace("_", " ").replace("-", " ").capitalize(), state.synced_at,
                                 state.item_count, state.last_error)
            continue
        label, unit = GROUP_LABELS.get(kind, (kind.replace("-", " ").capitalize(), "item"))
        row = rows.get(f"{kind}:")
        if row is None:
            rows[f"{kind}:"] = SyncRow(label, state.synced_at, state.item_count, state.last_error, 1, unit)
            continue
        row.count += 1
        row.item_count += state.item_count
        row.last_error = row.last_error or state.last_error
        if state.synced_at and (row.synced_at is None or state.synced_at > row.synced_at):
            row.synced_at = state.synced_at
    return sorted(rows.values(), key=lambda row: row.label.lower())


def _tasks(*, kind: str = "", idle: bool = False) -> QuerySet[TaskRecord]:
    records = TaskRecord.objects.all() if idle else TaskRecord.objects.filter(idle=False)
    return records.filter(name=kind) if kind else records


def task_records(states, *, kind: str = "", idle: bool = False) -> QuerySet[TaskRecord]:
    """Task records in `states` of one task (`kind`, its name) or all; idle periodic runs only
    when asked for."""
    return _tasks(kind=kind, idle=idle).filter(state__in=states)


def task_counts(tabs: dict[str, list[str]], *, kind: str = "", idle: bool = False) -> dict[str, int]:
    """How many task records each tab (a list of states) shows."""
    return {key: _tasks(kind=kind, idle=idle).filter(state__in=states).count() for key, states in tabs.items()}


def syncs_with_skips() -> QuerySet[SyncState]:
    """The listings whose last sync left records out (ids the portal cannot use, unreadable insights)."""
    return SyncState.objects.filter(skipped_count__gt=0).order_by("resource")


def task_groups(*, idle: bool = False) -> list[dict]:
    """One row per task: how many records, how many waiting or running, how many failed, the latest."""
    active, failed = Q(state__in=TaskRecord.ACTIVE), Q(state=TaskRecord.State.FAILED)
    return list(_tasks(idle=idle).values("name").annotate(
        total=Count("pk"), active=Count("pk", filter=active), failed=Count("pk", filter=failed),
        latest=Max("created_at")).order_by("-latest"))


def idle_task_count() -> int:
    return TaskRecord.objects.filter(idle=True).count()


def users_with_groups() -> QuerySet[User]:
    return User.objects.prefetch_related("groups").order_by("username")
