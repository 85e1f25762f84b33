"""Recording who changed what through the portal, and what Telnyx answered."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet

from portal.models import AuditEvent
from portal.telnyx import TelnyxError, TelnyxResponse

# Keys whose values never go into the log, at any depth.
SECRET_KEY_PATTERN = re.compile(r"(api[_-]?key|secret|token|password|authorization|credential)", re.I)
REDACTED = "[redacted]"


def redact(value: Any) -> Any:
    """A copy of `value` with every secret-looking key's value replaced."""
    if isinstance(value, dict):
        return {k: (REDACTED if SECRET_KEY_PATTERN.search(str(k)) and v else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def diff(before: dict | None, after: dict | None) -> dict:
    """`{field: {"before": x, "after": y}}` for the top-level keys whose values differ."""
    before, after = before or {}, after or {}
    changed = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            if SECRET_KEY_PATTERN.search(str(key)):
                # Say that a secret changed, never what it was or became.
                old, new = (REDACTED if old else old), (REDACTED if new else new)
            changed[key] = {"before": redact(old), "after": redact(new)}
    return changed


def record(
    *,
    user,
    action: str,
    resource_type: str,
    resource_id: str = "",
    resource_label: str = "",
    summary: str = "",
    changes: dict | None = None,
    response: TelnyxResponse | None = None,
    error: TelnyxError | None = None,
) -> AuditEvent:
    """Write one audit event. Pass the Telnyx `response` on success or the `error` on failure."""
    return AuditEvent.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        username=getattr(user, "username", "") or "",
        action=action,
        resource_type=resource_type,
        resource_id=str(resource_id or ""),
        resource_label=resource_label[:300],
        summary=summary[:2000],
        changes=redact(changes or {}),
        outcome=AuditEvent.Outcome.FAILURE if error else AuditEvent.Outcome.SUCCESS,
        telnyx_status=(error.status if error else response.status if response else None),
        telnyx_request_id=(error.request_id if error else response.request_id if response else "") or "",
        error_message=error.user_message if error else "",
    )


def audit_events_for(*, resource_type: str | tuple[str, ...], resource_id: str) -> QuerySet[AuditEvent]:
    """An object's history; several types when one object's changes are recorded under each."""
    types = (resource_type,) if isinstance(resource_type, str) else resource_type
    return AuditEvent.objects.filter(resource_type__in=types, resource_id=resource_id).select_related("user")
