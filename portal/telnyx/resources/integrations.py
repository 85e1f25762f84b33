"""`/ai/integrations`: Telnyx's integration catalogue and the account's connections
(SDK: resources/ai/integrations/integrations.py and connections.py)."""

from __future__ import annotations

from ..client import TelnyxResponse
from ._base import api_path, client, unwrap

BASE = ("ai", "integrations")


def list_all() -> list[dict]:
    return unwrap(client().get(api_path(*BASE)).data, [])


def retrieve(integration_id: str) -> dict:
    """One integration; Telnyx answers it bare, but an envelope is unwrapped too."""
    return unwrap(client().get(api_path(*BASE, integration_id)).data, {})


def list_connections() -> list[dict]:
    return unwrap(client().get(api_path(*BASE, "connections")).data, [])


def retrieve_connection(connection_id: str) -> dict:
    return unwrap(client().get(api_path(*BASE, "connections", connection_id)).data, {})


def delete_connection(connection_id: str) -> TelnyxResponse:
    return client().delete(api_path(*BASE, "connections", connection_id))
