"""Integrations: Telnyx's catalogue and the account's connections. Read live (both lists are
short and not cached); deleting a connection goes through the one write path."""

from __future__ import annotations

from django.contrib.auth.models import User

from assistants.hooks import Offer, Unlisted
from core.writes import telnyx_write
from portal.converters import is_telnyx_id
from portal.roles import ADMINISTER, READ, require_perm
from portal.telnyx import NotFoundError, TelnyxError
from portal.telnyx.resources import integrations as integrations_api

RESOURCE_TYPE = "integration_connection"


def integration_catalogue(*, user: User) -> list[dict]:
    require_perm(user, READ)
    return integrations_api.list_all()


def integration_fetch(*, user: User, integration_id: str) -> dict:
    require_perm(user, READ)
    return integrations_api.retrieve(integration_id)


def connections(*, user: User) -> list[dict]:
    require_perm(user, READ)
    return integrations_api.list_connections()


def connection_fetch(*, user: User, connection_id: str) -> dict:
    require_perm(user, READ)
    return integrations_api.retrieve_connection(connection_id)


def connected_integration_offers() -> list[Offer]:
    """The account's connected integrations as the assistant change form offers them: the
    catalogue id an assistant names (`integration_id`), its display name, and the tools the
    connection allows. Read live (neither list is cached); Unlisted when Telnyx cannot answer.
    The change form is Admin-only, so this asks no role of its own."""
    try:
        connected = integrations_api.list_connections()
        catalogue = {i.get("id"): i for i in integrations_api.list_all() if isinstance(i, dict)} if connected else {}
    except TelnyxError as exc:
        raise Unlisted(exc.user_message) from exc
    offers: dict[str, Offer] = {}
    for connection in connected:
        integration_id = connection.get("integration_id") if isinstance(connection, dict) else None
        if not is_telnyx_id(integration_id) or integration_id in offers:
            continue
        known = catalogue.get(integration_id) or {}
        label = known.get("display_name") or known.get("name") or integration_id
        tools = [t for t in connection.get("allowed_tools") or [] if isinstance(t, str) and t]
        offers[integration_id] = Offer(integration_id, label, tuple(tools))
    return sorted(offers.values(), key=lambda o: o.label.lower())


def connection_label(*, user: User, connection_id: str) -> str:
    """What a person calls the connection: its integration's display name, else the id."""
    require_perm(user, READ)
    try:
        connection = integrations_api.retrieve_connection(connection_id)
        integration = integrations_api.retrieve(connection.get("integration_id", "")) if connection.get("integration_id") else {}
    except TelnyxError:
        return connection_id
    return integration.get("display_name") or integration.get("name") or connection_id


def connection_delete(*, user: User, connection_id: str, label: str = "") -> bool:
    """Disconnect: delete the user connection. False if Telnyx no longer had it (the failed
    attempt is still audited: someone tried to delete it)."""
    require_perm(user, ADMINISTER)
    label = label or connection_id
    try:
        telnyx_write(
            lambda: integrations_api.delete_connection(connection_id),
            user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=connection_id, label=label,
            summary=f"Deleted the connection to {label}", failure_summary=f"Tried to delete the connection to {label}",
        )
    except NotFoundError:
        return False
    return True
