"""Canary deploys: one per assistant, GET/POST(create)/PUT(replace)/DELETE."""

from django.db import transaction

from sandbox.api import ApiError, iso, no_content, now, ok
from sandbox.behaviour import assistants as svc
from sandbox.behaviour.canary_rules import validate_rules
from sandbox.models import SbCanaryDeploy


def canary_json(canary: SbCanaryDeploy) -> dict:
    return {"assistant_id": canary.assistant_id, "rules": canary.rules,
            "created_at": iso(canary.created_at), "updated_at": iso(canary.updated_at)}


def _existing(assistant):
    canary = SbCanaryDeploy.objects.filter(assistant=assistant).first()
    if canary is None:
        raise ApiError(404, f"Assistant {assistant.pk} has no canary deploy.")
    return canary


def _rules(request, assistant):
    version_ids = set(assistant.versions.values_list("id", flat=True))
    return validate_rules(request.json.get("rules"), version_ids=version_ids)


def canary_retrieve(request, assistant_id):
    return ok(canary_json(_existing(svc.get_assistant(assistant_id))))


@transaction.atomic
def canary_create(request, assistant_id):
    assistant = svc.get_assistant(assistant_id)
    rules = _rules(request, assistant)
    if SbCanaryDeploy.objects.filter(assistant=assistant).exists():
        raise ApiError(409, "This assistant already has a canary deploy; use PUT to change it.")
    at = now()
    canary = SbCanaryDeploy.objects.create(assistant=assistant, rules=rules, created_at=at, updated_at=at)
    return ok(canary_json(canary))


@transaction.atomic
def canary_update(request, assistant_id):
    assistant = svc.get_assistant(assistant_id)
    canary = _existing(assistant)
    canary.rules = _rules(request, assistant)
    canary.updated_at = now()
    canary.save(update_fields=["rules", "updated_at"])
    return ok(canary_json(canary))


def canary_delete(request, assistant_id):
    _existing(svc.get_assistant(assistant_id)).delete()
    return no_content()
