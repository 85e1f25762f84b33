"""Assistant versions: list, retrieve, update (not main), delete (not main), promote."""

from sandbox.api import no_content, ok, validate
from sandbox.behaviour import assistants as svc
from sandbox.behaviour.assistant_config import config_from_body, validate_config


def version_list(request, assistant_id):
    assistant = svc.get_assistant(assistant_id)
    versions = assistant.versions.order_by("-created_at", "-id")
    return ok({"data": [svc.assistant_json(assistant, v) for v in versions]})


def version_retrieve(request, assistant_id, version_id):
    assistant = svc.get_assistant(assistant_id)
    return ok(svc.assistant_json(assistant, svc.get_version(assistant, version_id)))


def version_update(request, assistant_id, version_id):
    body = request.json
    validate(body, optional={"version_name": str})
    validate_config(body, creating=False)
    assistant = svc.get_assistant(assistant_id)
    version = svc.version_update(assistant, svc.get_version(assistant, version_id),
                                 changes=config_from_body(body), version_name=body.get("version_name") or "")
    return ok(svc.assistant_json(assistant, version))


def version_delete(request, assistant_id, version_id):
    assistant = svc.get_assistant(assistant_id)
    svc.version_delete(assistant, svc.get_version(assistant, version_id))
    return no_content()


def version_promote(request, assistant_id, version_id):
    assistant = svc.get_assistant(assistant_id)
    svc.version_promote(assistant, svc.get_version(assistant, version_id))
    return ok(svc.assistant_json(assistant))
