"""MCP servers. The list is a bare JSON array paged with page[number]/page[size]."""

from sandbox.api import ApiError, ListOf, get_or_not_found, iso, new_id, no_content, now, ok, page_params, validate
from sandbox.models import SbMcpServer

OPTIONAL = {"allowed_tools": ListOf(str), "api_key_ref": str}


def mcp_json(server: SbMcpServer) -> dict:
    data = {"id": server.pk, "name": server.name, "type": server.type, "url": server.url,
            "created_at": iso(server.created_at)}
    if server.allowed_tools is not None:
        data["allowed_tools"] = server.allowed_tools
    if server.api_key_ref is not None:
        data["api_key_ref"] = server.api_key_ref
    return data


def _server(server_id):
    return get_or_not_found(SbMcpServer, server_id, "MCP server")


def mcp_list(request):
    servers = SbMcpServer.objects.all()
    for field in ("type", "url"):
        if request.GET.get(field):
            servers = servers.filter(**{field: request.GET[field]})
    number, size = page_params(request)
    start = (number - 1) * size
    return ok([mcp_json(s) for s in servers[start:start + size]])


def mcp_create(request):
    body = request.json
    validate(body, required={"name": str, "type": str, "url": str}, optional=OPTIONAL)
    server = SbMcpServer.objects.create(id=new_id(), name=body["name"], type=body["type"], url=body["url"],
                                        allowed_tools=body.get("allowed_tools"), api_key_ref=body.get("api_key_ref"),
                                        created_at=now())
    return ok(mcp_json(server))


def mcp_retrieve(request, server_id):
    return ok(mcp_json(_server(server_id)))


def mcp_update(request, server_id):
    body = request.json
    # id and created_at are accepted (the SDK sends them) but never change.
    validate(body, optional={"name": str, "type": str, "url": str, "id": str, "created_at": str, **OPTIONAL})
    server = _server(server_id)
    for field in ("name", "type", "url", "allowed_tools", "api_key_ref"):
        if field in body:
            if field in ("name", "type", "url") and not body[field]:
                raise ApiError(422, f"'{field}' cannot be empty.", pointer=f"/{field}")
            setattr(server, field, body[field])
    server.save()
    return ok(mcp_json(server))


def mcp_delete(request, server_id):
    _server(server_id).delete()
    return no_content()
