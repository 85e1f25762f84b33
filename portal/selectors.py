"""Portal-wide reads: audit events and sync states."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.models import AuditEvent, SyncState


def audit_events_for(*, resource_type: str | tuple[str, ...], resource_id: str) -> QuerySet[AuditEvent]:
    """An object's history; several types when one object's changes are recorded under each."""
    types = (resource_type,) if isinstance(resource_type, str) else resource_type
    return AuditEvent.objects.filter(resource_type__in=types, resource_id=resource_id).select_related("user")


def recent_audit_events(limit: int = 10) -> list[AuditEvent]:
    return list(AuditEvent.objects.select_related("user")[:limit])


def sync_states() -> list[SyncState]:
    return list(SyncState.objects.order_by("resource"))
