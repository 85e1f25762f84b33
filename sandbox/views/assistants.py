"""Assistants: list, create, retrieve, update, delete, clone, import, recently deleted."""

from sandbox.api import Enum, ListOf, ok, paginate, query_bool, validate
from sandbox.behaviour import assistants as svc
from sandbox.behaviour.assistant_config import config_from_body, validate_config
from sandbox.behaviour.importers import assistants_import
from sandbox.models import SbAssistant


def _live():
    return SbAssistant.objects.filter(deleted_at__isnull=True).select_related("main_version")


# Telnyx pages this list although neither its reference nor the SDK says so
# (team-telnyx/telnyx-go#201): 100 by default and at most 100 a page, with `meta`.
ASSISTANTS_PAGE_SIZE = 100


def assistant_list(request):
    return ok(paginate(request, _live(), svc.assistant_json, default_size=ASSISTANTS_PAGE_SIZE,
                       max_size=ASSISTANTS_PAGE_SIZE))


def assistant_create(request):
    body = request.json
    validate_config(body, creating=True)
    assistant = svc.assistant_create(config=config_from_body(body))
    return ok(svc.assistant_json(assistant))


def assistant_retrieve(request, assistant_id):
    return ok(svc.assistant_json(svc.get_assistant(assistant_id)))


def assistant_update(request, assistant_id):
    body = request.json
    validate(body, optional={"promote_to_main": bool, "version_name": str})
    validate_config(body, creating=False)
    assistant = svc.get_assistant(assistant_id)
    version = svc.assistant_update(assistant, changes=config_from_body(body),
                                   promote_to_main=body.get("promote_to_main", True),
                                   version_name=body.get("version_name") or "")
    assistant.refresh_from_db()
    return ok(svc.assistant_json(assistant, version))


def assistant_delete(request, assistant_id):
    assistant = svc.get_assistant(assistant_id)
    svc.assistant_delete(assistant, hard=query_bool(request, "hard_delete"))
    return ok({"id": assistant_id, "deleted": True, "object": "assistant"})


def assistant_clone(request, assistant_id):
    clone = svc.assistant_clone(svc.get_assistant(assistant_id))
    return ok(svc.assistant_json(clone))


def assistant_import(request):
    body = request.json
    validate(body, required={"provider": Enum("elevenlabs", "vapi", "retell"), "api_key_ref": str},
             optional={"import_ids": ListOf(str)})
    imported = assistants_import(provider=body["provider"], import_ids=body.get("import_ids"))
    return ok({"data": [svc.assistant_json(a) for a in imported]})


def deleted_list(request):
    svc.purge_expired_deletions()
    deleted = SbAssistant.objects.filter(deleted_at__isnull=False).select_related("main_version").order_by("-deleted_at", "id")
    return ok(paginate(request, deleted, svc.deleted_assistant_json))


def deleted_retrieve(request, assistant_id):
    return ok(svc.deleted_assistant_json(svc.get_assistant(assistant_id, deleted=True)))


def assistant_restore_view(request, assistant_id):
    assistant = svc.get_assistant(assistant_id, deleted=True)
    return ok(svc.assistant_json(svc.assistant_restore(assistant)))
