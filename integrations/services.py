"""Integrations: Telnyx's catalogue and the account's connections. Read live (both lists are
short); deleting a connection is audited."""

from __future__ import annotations

from core import audit
from portal.roles import ADMINISTER, READ, require_perm
from portal.telnyx import NotFoundError, TelnyxError, get_client

RESOURCE_TYPE = "integration_connection"


def integration_catalogue(*, user) -> list[dict]:
    require_perm(user, READ)
    return (get_client().get("ai/integrations").data or {}).get("data") or []


def integration_fetch(*, user, integration_id: str) -> dict:
    """One integration; Telnyx answers it bare (not wrapped in data)."""
    require_perm(user, READ)
    return get_client().get(f"ai/integrations/{integration_id}").data or {}


def connections(*, user) -> list[dict]:
    require_perm(user, READ)
    return (get_client().get("ai/integrations/connections").data or {}).get("data") or []


def connection_fetch(*, user, connection_id: str) -> dict:
    require_perm(user, READ)
    return (get_client().get(f"ai/integrations/connections/{connection_id}").data or {}).get("data") or {}


def connection_delete(*, user, connection_id: str, label: str = "") -> bool:
    """Disconnect: delete the user connection. False if Telnyx no longer had it."""
    require_perm(user, ADMINISTER)
    label = label or connection_id
    try:
        response = get_client().delete(f"ai/integrations/connections/{connection_id}")
    except NotFoundError as exc:
        audit.record(user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=connection_id,
                     resource_label=label, summary=f"Connection to {label} was already gone in Telnyx", error=exc)
        return False
    except TelnyxError as exc:
        audit.record(user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=connection_id,
                     resource_label=label, summary=f"Tried to delete the connection to {label}", error=exc)
        raise
    audit.record(user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=connection_id,
                 resource_label=label, summary=f"Deleted the connection to {label}", response=response)
    return True
