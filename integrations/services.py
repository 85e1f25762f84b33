"""Integrations: Telnyx's catalogue and the account's connections. Read live by the
integration pages (both lists are short and not cached in tables); deleting a connection goes
through the one write path.

The assistant change form's picker (`connected_integration_offers`) is asked on every load and
save of that form: it keeps what it built from the two lists in Django's cache for
OFFERS_SECONDS, keyed by a generation ("integrations.connections", a `CacheGeneration` row) that
the portal's own disconnect moves, so a disconnect shows at once on every app server. The
integrations page, which reads both lists live anyway, keeps its fresh offers too: a connection
made in Telnyx shows in the picker after OFFERS_SECONDS, or at once after a visit to that page."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.cache import cache

from assistants.hooks import Offer, Unlisted
from core.writes import telnyx_write
from portal import generations
from portal.converters import is_telnyx_id
from portal.roles import ADMINISTER, READ, require_perm
from portal.telnyx import NotFoundError, TelnyxError
from portal.telnyx.resources import integrations as integrations_api

RESOURCE_TYPE = "integration_connection"
#: Moved by the portal's writes to the account's connections: the kept picker offers go stale.
CONNECTIONS_GENERATION = "integrations.connections"
OFFERS_SECONDS = 120


def _read(user: User, call, *args):
    """A live read of the catalogue or the connections, open to every role."""
    require_perm(user, READ)
    return call(*args)


def integration_catalogue(*, user: User) -> list[dict]:
    return _read(user, integrations_api.list_all)


def integration_fetch(*, user: User, integration_id: str) -> dict:
    return _read(user, integrations_api.retrieve, integration_id)


def connections(*, user: User) -> list[dict]:
    return _read(user, integrations_api.list_connections)


def connection_fetch(*, user: User, connection_id: str) -> dict:
    return _read(user, integrations_api.retrieve_connection, connection_id)


def _offers_key() -> str:
    number = generations.current([CONNECTIONS_GENERATION]).get(CONNECTIONS_GENERATION, 0)
    return f"integration-offers:{number}"


def keep_offers(connected: list[dict], catalogue: list[dict]) -> list[Offer]:
    """The account's connected integrations as the assistant change form offers them (the
    catalogue id an assistant names, `integration_id`; its display name; the tools the
    connection allows), built from the two lists and kept for the picker's next asks."""
    names = {i.get("id"): i for i in catalogue if isinstance(i, dict)}
    offers: dict[str, Offer] = {}
    for connection in connected:
        integration_id = connection.get("integration_id") if isinstance(connection, dict) else None
        if not is_telnyx_id(integration_id) or integration_id in offers:
            continue
        known = names.get(integration_id) or {}
        label = known.get("display_name") or known.get("name") or integration_id
        tools = [t for t in connection.get("allowed_tools") or [] if isinstance(t, str) and t]
        offers[integration_id] = Offer(integration_id, label, tuple(tools))
    listed = sorted(offers.values(), key=lambda o: o.label.lower())
    cache.set(_offers_key(), listed, OFFERS_SECONDS)
    return listed


def connected_integration_offers() -> list[Offer]:
    """What the assistant change form offers for `integrations`: the kept offers, else the two
    lists read live (the catalogue only when something is connected) and kept. Unlisted when
    Telnyx cannot answer (not kept: the next ask tries again). The change form is Admin-only,
    so this asks no role of its own."""
    kept = cache.get(_offers_key())
    if kept is not None:
        return kept
    try:
        connected = integrations_api.list_connections()
        catalogue = integrations_api.list_all() if connected else []
    except TelnyxError as exc:
        raise Unlisted(exc.user_message) from exc
    return keep_offers(connected, catalogue)


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
    finally:  # gone, or maybe gone (a failure after Telnyx acted): the picker reads the lists again
        generations.bump(CONNECTIONS_GENERATION)
    return True
