"""Assistant and version lifecycle: create, update (new version), prune, promote, delete.

Services write; the views only translate HTTP to these calls and back.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from sandbox.api import ApiError, iso, new_id, not_found, now
from sandbox.behaviour.assistant_config import with_default_model
from sandbox.behaviour.shared_tools import merged_tools
from sandbox.models import SbAssistant, SbCanaryDeploy, SbVersion

MAX_VERSIONS = 10
RESTORE_WINDOW = timedelta(days=30)


# --- lookups --------------------------------------------------------------------------------

def get_assistant(assistant_id: str, *, deleted: bool = False) -> SbAssistant:
    """A live assistant (or, with ``deleted=True``, a soft-deleted one), else 404."""
    assistant = (SbAssistant.objects.select_related("main_version")
                 .filter(pk=assistant_id, deleted_at__isnull=not deleted).first())
    if assistant is None:
        raise not_found("Assistant", assistant_id)
    return assistant


def get_version(assistant: SbAssistant, version_id: str) -> SbVersion:
    version = assistant.versions.filter(pk=version_id).first()
    if version is None:
        raise not_found("Version", version_id)
    return version


# --- representation -------------------------------------------------------------------------

def assistant_json(assistant: SbAssistant, version: SbVersion | None = None) -> dict:
    """The SDK's ``InferenceEmbedding``: a version's configuration plus ids and timestamps."""
    version = version or assistant.main_version
    config = dict(with_default_model(version.config))
    if config.get("tool_ids"):
        config["tools"] = merged_tools(config)  # shared tools show with `shared: true`
    return {
        **config,
        "id": assistant.id,
        "created_at": iso(assistant.created_at),
        "version_id": version.id,
        "version_name": version.name,
        "version_created_at": iso(version.created_at),
    }


def deleted_assistant_json(assistant: SbAssistant) -> dict:
    return {
        **assistant_json(assistant),
        "deleted_at": iso(assistant.deleted_at),
        "permanently_deleted_at": iso(assistant.deleted_at + RESTORE_WINDOW),
    }


# --- writes ---------------------------------------------------------------------------------

@transaction.atomic
def assistant_create(*, config: dict, version_name: str = "", created_at=None, is_demo: bool = False,
                     assistant_id: str | None = None) -> SbAssistant:
    """Create an assistant with its first (main) version."""
    created_at = created_at or now()
    assistant = SbAssistant.objects.create(id=assistant_id or new_id("assistant-"),
                                           created_at=created_at, is_demo=is_demo)
    version = SbVersion.objects.create(id=new_id(), assistant=assistant, config=with_default_model(config),
                                       name=version_name or "v1", created_at=created_at)
    assistant.main_version = version
    assistant.save(update_fields=["main_version"])
    return assistant


@transaction.atomic
def assistant_update(assistant: SbAssistant, *, changes: dict, promote_to_main: bool = True,
                     version_name: str = "", created_at=None) -> SbVersion:
    """Save ``changes`` on top of the main configuration as a new version.

    With ``promote_to_main`` the new version becomes main; otherwise main is untouched
    (the new version can be canaried or promoted later). Old versions are then pruned.
    """
    base = assistant.main_version.config
    count = assistant.versions.count()
    version = SbVersion.objects.create(
        id=new_id(), assistant=assistant, config={**base, **changes},
        name=version_name or f"v{count + 1}", created_at=created_at or now(),
    )
    if promote_to_main:
        assistant.main_version = version
        assistant.save(update_fields=["main_version"])
    versions_prune(assistant)
    return version


def versions_prune(assistant: SbAssistant) -> list[str]:
    """Keep at most MAX_VERSIONS, deleting the oldest but never main or canary-referenced ones."""
    keep = {assistant.main_version_id}
    canary = SbCanaryDeploy.objects.filter(assistant=assistant).first()
    if canary:
        keep |= canary.version_ids()
    versions = list(assistant.versions.order_by("-created_at", "-id").values_list("id", flat=True))
    excess = len(versions) - MAX_VERSIONS
    doomed = []
    for version_id in reversed(versions):  # oldest first
        if excess <= 0:
            break
        if version_id not in keep:
            doomed.append(version_id)
            excess -= 1
    SbVersion.objects.filter(pk__in=doomed).delete()
    return doomed


@transaction.atomic
def version_update(assistant: SbAssistant, version: SbVersion, *, changes: dict, version_name: str = "") -> SbVersion:
    """Edit a non-main version in place (the main version is edited through assistant update)."""
    if version.pk == assistant.main_version_id:
        raise ApiError(400, "The main version cannot be updated; update the assistant instead.",
                       pointer="/version_id")
    version.config = {**version.config, **changes}
    if version_name:
        version.name = version_name
    version.save(update_fields=["config", "name"])
    return version


@transaction.atomic
def version_delete(assistant: SbAssistant, version: SbVersion) -> None:
    if version.pk == assistant.main_version_id:
        raise ApiError(400, "The main version cannot be deleted.", pointer="/version_id")
    canary = SbCanaryDeploy.objects.filter(assistant=assistant).first()
    if canary and version.pk in canary.version_ids():
        raise ApiError(409, "The version is referenced by the canary deploy; change the rules first.")
    version.delete()


@transaction.atomic
def version_promote(assistant: SbAssistant, version: SbVersion) -> SbAssistant:
    """Make ``version`` main and drop any canary deploy: all live traffic goes to it."""
    assistant.main_version = version
    assistant.save(update_fields=["main_version"])
    SbCanaryDeploy.objects.filter(assistant=assistant).delete()
    return assistant


def _referencing_assistants(assistant_id: str) -> list[str]:
    """Other live assistants whose handoff tools or flow edges point at ``assistant_id``."""
    found = []
    for other in SbAssistant.objects.filter(deleted_at__isnull=True).exclude(pk=assistant_id).select_related("main_version"):
        config = other.main_version.config if other.main_version else {}
        for tool in config.get("tools") or []:
            targets = (tool.get("handoff") or {}).get("ai_assistants") or []
            if any(t.get("id") == assistant_id for t in targets):
                found.append(other.pk)
        for edge in (config.get("conversation_flow") or {}).get("edges") or []:
            if assistant_id in (edge.get("target_assistant_id"), edge.get("assistant_id")):
                found.append(other.pk)
    return found


@transaction.atomic
def assistant_delete(assistant: SbAssistant, *, hard: bool) -> None:
    """Soft delete (restorable for 30 days) unless ``hard``; refuse while referenced."""
    referencing = _referencing_assistants(assistant.pk)
    if referencing:
        raise ApiError(400, f"Assistant is referenced by: {', '.join(sorted(set(referencing)))}.")
    if hard:
        assistant.delete()
    else:
        assistant.deleted_at = now()
        assistant.save(update_fields=["deleted_at"])


def assistant_restore(assistant: SbAssistant) -> SbAssistant:
    assistant.deleted_at = None
    assistant.save(update_fields=["deleted_at"])
    return assistant


def purge_expired_deletions() -> int:
    """Permanently delete assistants past the restore window (called lazily by listings)."""
    deleted, _ = SbAssistant.objects.filter(deleted_at__lt=now() - RESTORE_WINDOW).delete()
    return deleted


@transaction.atomic
def assistant_clone(assistant: SbAssistant) -> SbAssistant:
    """A copy of the main configuration, minus telephony and messaging settings."""
    config = {k: v for k, v in assistant.main_version.config.items()
              if k not in ("telephony_settings", "messaging_settings")}
    config["name"] = f"{config.get('name', '')} (copy)"
    return assistant_create(config=config)
