"""Shared tools (`/ai/tools`), attaching them to assistants, and assistant tags."""

from __future__ import annotations

from sandbox.api import ApiError, Enum, check_fields, error_object, new_id, now, ok, paginate, validate
from sandbox.behaviour import assistants as svc
from sandbox.behaviour import shared_tools as tools
from sandbox.behaviour.assistant_config import TOOL_REQUIRED
from sandbox.models import SbAssistant, SbTool

MAX_TIMEOUT_MS = 60_000


def _definition_errors(body: dict, kind: str) -> list[dict]:
    value = body.get(kind)
    if kind in tools.SHARED_TOOL_TYPES and not isinstance(value, dict):
        return [error_object(422, f"A '{kind}' tool needs a '{kind}' object.", pointer=f"/{kind}")]
    if isinstance(value, dict):
        return check_fields(value, required=TOOL_REQUIRED.get(kind, {}), prefix=f"/{kind}")
    return []


def _validate(body: dict) -> None:
    errors = check_fields(body, required={"display_name": str, "type": Enum(*tools.SHARED_TOOL_TYPES)})
    errors += check_fields(body, optional={"timeout_ms": int})
    timeout = body.get("timeout_ms")
    if isinstance(timeout, int) and not isinstance(timeout, bool) and not 1 <= timeout <= MAX_TIMEOUT_MS:
        errors.append(error_object(422, f"Must be between 1 and {MAX_TIMEOUT_MS}.", pointer="/timeout_ms"))
    if not errors and body.get("type"):
        errors += _definition_errors(body, body["type"])
    if errors:
        raise ApiError(422, errors=errors)


def tool_list(request):
    found = SbTool.objects.all()
    if request.GET.get("filter[name]"):
        found = found.filter(display_name__icontains=request.GET["filter[name]"])
    if request.GET.get("filter[type]"):
        found = found.filter(type=request.GET["filter[type]"])
    return ok(paginate(request, found, tools.tool_json))


def tool_create(request):
    body = request.json
    _validate(body)
    tool = SbTool.objects.create(id=new_id(), type=body["type"], display_name=body["display_name"],
                                 definition=body[body["type"]], timeout_ms=body.get("timeout_ms"), created_at=now())
    return ok(tools.tool_json(tool))


def tool_retrieve(request, tool_id):
    return ok(tools.tool_json(tools.get_tool(tool_id)))


def tool_update(request, tool_id):
    """PATCH: what is sent replaces those fields; a new type needs its own object."""
    tool = tools.get_tool(tool_id)
    body = request.json
    merged = {"display_name": tool.display_name, "type": tool.type, "timeout_ms": tool.timeout_ms, **body}
    if merged["type"] == tool.type:
        merged.setdefault(tool.type, tool.definition)
    _validate(merged)
    tool.type, tool.display_name = merged["type"], merged["display_name"]
    tool.definition, tool.timeout_ms = merged[merged["type"]], merged.get("timeout_ms")
    tool.save()
    return ok(tools.tool_json(tool))


def tool_delete(request, tool_id):
    tools.get_tool(tool_id).delete()  # assistants that had it attached simply stop showing it
    return ok({"id": tool_id, "deleted": True})


def _attach(assistant: SbAssistant, tool_ids: list[str]):
    svc.assistant_update(assistant, changes={"tool_ids": tool_ids}, promote_to_main=True)
    assistant.refresh_from_db()
    return ok(svc.assistant_json(assistant))


def assistant_tool_add(request, assistant_id, tool_id):
    assistant = svc.get_assistant(assistant_id)
    tool = tools.get_tool(tool_id)
    config = assistant.main_version.config
    ids = list(config.get("tool_ids") or [])
    if tool_id in ids:
        return ok(svc.assistant_json(assistant))
    tools.check_single_instance(config, tool)
    return _attach(assistant, ids + [tool_id])


def _without(assistant: SbAssistant, key: str, item: str, missing: str) -> list[str]:
    """The main version's `key` list without `item`; a 404 saying `missing` when it is not there."""
    items = list(assistant.main_version.config.get(key) or [])
    if item not in items:
        raise ApiError(404, missing)
    return [i for i in items if i != item]


def assistant_tool_remove(request, assistant_id, tool_id):
    assistant = svc.get_assistant(assistant_id)
    return _attach(assistant, _without(assistant, "tool_ids", tool_id, f"Tool {tool_id} is not attached to assistant {assistant_id}."))


def _live_configs():
    return (a.main_version.config for a in SbAssistant.objects.filter(deleted_at__isnull=True).select_related("main_version"))


def tag_list(request):
    return ok({"tags": tools.tags_in_use(_live_configs())})


def _set_tags(assistant: SbAssistant, tags: list[str]):
    svc.assistant_update(assistant, changes={"tags": tags}, promote_to_main=True)
    return ok({"tags": tags})


def assistant_tag_add(request, assistant_id):
    body = request.json
    validate(body, required={"tag": str})
    assistant = svc.get_assistant(assistant_id)
    tags = list(assistant.main_version.config.get("tags") or [])
    return _set_tags(assistant, tags if body["tag"] in tags else tags + [body["tag"]])


def assistant_tag_remove(request, assistant_id, tag):
    assistant = svc.get_assistant(assistant_id)
    return _set_tags(assistant, _without(assistant, "tags", tag, f"Assistant {assistant_id} has no tag {tag!r}."))
