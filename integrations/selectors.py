"""Integration reads from the database. Integrations are not cached (both Telnyx lists are
short and read live through services), so the only local record is the audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from core.audit import audit_events_for
from portal.models import AuditEvent

from .services import RESOURCE_TYPE


def connection_events(connection_id: str, limit: int = 20) -> QuerySet[AuditEvent]:
    """What the portal's users did to this connection, newest first."""
    return audit_events_for(resource_type=RESOURCE_TYPE, resource_id=connection_id)[:limit]
