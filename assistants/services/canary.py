"""Canary deploys: read the rules, save (create or replace), delete, restore from history.

Telnyx first; the split history (`CanaryConfig`) and the audit log take Telnyx's answer.
Every write checks the Admin permission itself and audits failures as well as successes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core import audit
from portal.roles import ADMINISTER, READ, require_perm
from portal.telnyx import NotFoundError, TelnyxError, TelnyxResponse, get_client, new_idempotency_key

from assistants.canary.rules import normalise_canary
from assistants.models import Assistant, CanaryConfig
from assistants.services.observed import forget_observed_split

RESOURCE_TYPE = "canary_deploy"


@dataclass
class CanaryDeploy:
    """The assistant's canary deploy as Telnyx has it now; `exists` is False when there is none."""

    rules: list[dict]
    exists: bool
    updated_at: datetime | None = None
    error: TelnyxError | None = None  # set by pages that could not read it


def _path(assistant_id: str) -> str:
    return f"ai/assistants/{assistant_id}/canary-deploys"


def _label(assistant_id: str) -> str:
    row = Assistant.objects.filter(telnyx_id=assistant_id).only("name").first()
    return row.name if row else assistant_id


def canary_fetch(*, user, assistant_id: str) -> CanaryDeploy:
    """The current rules, normalised (the seeds' `versions` shape becomes one rollout rule)."""
    require_perm(user, READ)
    try:
        data = get_client().get(_path(assistant_id)).data or {}
    except NotFoundError:
        return CanaryDeploy(rules=[], exists=False)
    updated = parse_datetime(str(data.get("updated_at") or "")) if data.get("updated_at") else None
    return CanaryDeploy(rules=normalise_canary(data), exists=True, updated_at=updated)


def version_choices(*, user, assistant_id: str) -> list[dict]:
    """The assistant's versions, newest first: `{id, name, created_at}` for selects and labels."""
    require_perm(user, READ)
    items = (get_client().get(f"ai/assistants/{assistant_id}/versions").data or {}).get("data") or []
    return [
        {
            "id": item.get("version_id") or "",
            "name": item.get("version_name") or "",
            "created_at": parse_datetime(str(item.get("version_created_at") or "")) if item.get("version_created_at") else None,
        }
        for item in items
        if item.get("version_id")
    ]


def _history(*, user, assistant_id: str, rules: list[dict], kind: str) -> None:
    CanaryConfig.objects.create(
        assistant_id=assistant_id, rules=rules, kind=kind, user=user if user.is_authenticated else None,
        username=user.username, saved_at=timezone.now(),
    )


def _write(*, user, assistant_id: str, rules: list[dict], restoring: str = "", idempotency_key: str = "") -> list[dict]:
    """Create (POST) or replace (PUT) the rules, whichever fits what Telnyx has now, then keep
    the split history and audit. `restoring` describes the history entry being restored."""
    label = _label(assistant_id)
    before: list[dict] | None = None
    action = "restore" if restoring else "save"
    try:
        current = canary_fetch(user=user, assistant_id=assistant_id)
        before = current.rules if current.exists else None
        action = "restore" if restoring else ("update" if current.exists else "create")
        if current.exists:
            response: TelnyxResponse = get_client().put(_path(assistant_id), json={"rules": rules})
        else:
            response = get_client().post(
                _path(assistant_id), json={"rules": rules}, idempotency_key=idempotency_key or new_idempotency_key()
            )
    except TelnyxError as exc:
        what = f"restore the canary deploy {restoring}" if restoring else "save the canary deploy"
        audit.record(
            user=user, action=action, resource_type=RESOURCE_TYPE, resource_id=assistant_id, resource_label=label,
            summary=f"Tried to {what} of “{label}”", changes=audit.diff({"rules": before}, {"rules": rules}),
            error=exc,
        )
        raise
    saved = normalise_canary(response.data) if response.data else rules
    forget_observed_split(assistant_id)
    if restoring:
        summary = f"Restored the canary deploy {restoring} of “{label}”"
    else:
        summary = f"{'Updated' if before is not None else 'Created'} the canary deploy of “{label}”"
    with transaction.atomic():
        _history(user=user, assistant_id=assistant_id, rules=saved,
                 kind=CanaryConfig.Kind.RESTORED if restoring else CanaryConfig.Kind.SAVED)
        audit.record(
            user=user, action=action, resource_type=RESOURCE_TYPE, resource_id=assistant_id, resource_label=label,
            summary=summary, changes=audit.diff({"rules": before}, {"rules": saved}), response=response,
        )
    return saved


def canary_save(*, user, assistant_id: str, rules: list[dict], idempotency_key: str = "") -> list[dict]:
    """Save the rules as the assistant's canary deploy (create it if there is none)."""
    require_perm(user, ADMINISTER)
    return _write(user=user, assistant_id=assistant_id, rules=rules, idempotency_key=idempotency_key)


def canary_restore(*, user, assistant_id: str, config_id: int) -> list[dict]:
    """Send an earlier configuration from the split history to Telnyx again."""
    require_perm(user, ADMINISTER)
    config = CanaryConfig.objects.get(pk=config_id, assistant_id=assistant_id)
    when = timezone.localtime(config.saved_at).strftime("%Y-%m-%d %H:%M")
    return _write(user=user, assistant_id=assistant_id, rules=config.rules,
                  restoring=f"saved {when} by {config.username or 'someone'}")


def canary_delete(*, user, assistant_id: str) -> bool:
    """Delete the canary deploy: all traffic goes to main. False if Telnyx had none."""
    require_perm(user, ADMINISTER)
    label = _label(assistant_id)
    before: list[dict] | None = None
    try:
        current = canary_fetch(user=user, assistant_id=assistant_id)
        if not current.exists:
            return False
        before = current.rules
        response = get_client().delete(_path(assistant_id))
    except NotFoundError:
        return False
    except TelnyxError as exc:
        audit.record(
            user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=assistant_id, resource_label=label,
            summary=f"Tried to delete the canary deploy of “{label}”", changes=audit.diff({"rules": before}, None),
            error=exc,
        )
        raise
    forget_observed_split(assistant_id)
    with transaction.atomic():
        _history(user=user, assistant_id=assistant_id, rules=before, kind=CanaryConfig.Kind.DELETED)
        audit.record(
            user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=assistant_id, resource_label=label,
            summary=f"Deleted the canary deploy of “{label}”: all traffic goes to main",
            changes=audit.diff({"rules": before}, None), response=response,
        )
    return True
