"""Integrations (fixed catalogue, bare on retrieve) and the user's connections (wrapped)."""

from sandbox.api import ApiError, get_or_not_found, no_content, ok
from sandbox.behaviour.integration_catalogue import BY_ID, INTEGRATIONS, integration_json
from sandbox.models import SbConnection


def connection_json(connection: SbConnection) -> dict:
    return {"id": connection.pk, "integration_id": connection.integration_id,
            "allowed_tools": connection.allowed_tools}


def _connected_ids() -> set[str]:
    return set(SbConnection.objects.values_list("integration_id", flat=True))


def integration_list(request):
    connected = _connected_ids()
    return ok({"data": [integration_json(i, connected=i["id"] in connected) for i in INTEGRATIONS]})


def integration_retrieve(request, integration_id):
    item = BY_ID.get(integration_id) or next((i for i in INTEGRATIONS if i["name"] == integration_id), None)
    if item is None:
        raise ApiError(404, f"Integration {integration_id} not found.")
    return ok(integration_json(item, connected=item["id"] in _connected_ids()))


def _connection(connection_id):
    return get_or_not_found(SbConnection, connection_id, "Connection")


def connection_list(request):
    return ok({"data": [connection_json(c) for c in SbConnection.objects.all()]})


def connection_retrieve(request, connection_id):
    return ok({"data": connection_json(_connection(connection_id))})


def connection_delete(request, connection_id):
    _connection(connection_id).delete()
    return no_content()
