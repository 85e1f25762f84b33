"""Canary deploys: the one reader (normalised rules), save (create or replace), delete, restore.

Telnyx first; the split history (`CanaryConfig`) and the audit log take Telnyx's answer in
one transaction (`core.writes.telnyx_write`). Every write checks the Admin permission itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from assistants.canary.rules import normalise_canary
from assistants.models import Assistant, CanaryConfig, CanaryDeployCache
from assistants.services.conflicts import refuse_if_stale_rules
from assistants.services.observed import forget_observed_split
from core import audit
from core.cache import cache_put
from core.sync import SyncOutcome, replace_cache, run_sync
from core.types import PortalUser
from core.writes import telnyx_write
from portal.roles import ADMINISTER, READ, require_perm
from portal.telnyx import NotFoundError, TelnyxError, TelnyxResponse, new_idempotency_key
from portal.telnyx.dates import parse_date
from portal.telnyx.resources import canary_deploys as canary_api

RESOURCE_TYPE = "canary_deploy"
#: The listing of what Telnyx has as each cached assistant's canary deploy (CanaryDeployCache).
CANARIES = "canary_deploys"


@dataclass
class CanaryDeploy:
    """The assistant's canary deploy as Telnyx has it now; `exists` is False when there is none."""

    rules: list[dict] = field(default_factory=list)
    exists: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    error: TelnyxError | None = None  # set by pages that could not read it

    @property
    def splits(self) -> list[tuple[str, float | None]]:
        """(version id, weight) per version served; weight None = a whole rule serves it."""
        found = []
        for rule in self.rules:
            serve = rule.get("serve") or {}
            if serve.get("version_id"):
                found.append((serve["version_id"], None))
            for slot in serve.get("rollout") or []:
                found.append((slot.get("version_id", ""), slot.get("weight")))
        return found

    @property
    def version_ids(self) -> set[str]:
        return {version_id for version_id, _ in self.splits}


def canary_fetch(*, user: PortalUser, assistant_id: str) -> CanaryDeploy:
    """The current rules, normalised (the seeds' `versions` shape becomes one rollout rule)."""
    require_perm(user, READ)
    try:
        data = canary_api.retrieve(assistant_id)
    except NotFoundError:
        remember_canary(assistant_id, None)
        return CanaryDeploy()
    remember_canary(assistant_id, data)
    return CanaryDeploy(rules=normalise_canary(data), exists=True, created_at=parse_date(data.get("created_at")),
                        updated_at=parse_date(data.get("updated_at")))


def _cache_item(assistant_id: str, data: dict | None) -> dict:
    return {**(data or {}), "assistant_id": assistant_id, "exists": data is not None}


def _cache_fields(item: dict) -> dict:
    return {"telnyx_id": item["assistant_id"], "exists": bool(item.get("exists"))}


def remember_canary(assistant_id: str, data: dict | None) -> None:
    """Cache what Telnyx just said of the assistant's canary deploy (None: it has none)."""
    cache_put(CanaryDeployCache, _cache_item(assistant_id, data), _cache_fields)


def cached_canary(assistant_id: str) -> tuple[CanaryDeploy | None, datetime | None]:
    """What Telnyx last said of the canary (from the cache) and when; (None, None) if never read."""
    row = CanaryDeployCache.objects.filter(telnyx_id=assistant_id).first()
    if row is None:
        return None, None
    deploy = CanaryDeploy(rules=normalise_canary(row.payload), exists=True) if row.exists else CanaryDeploy()
    return deploy, row.synced_at


def canaries_sync() -> SyncOutcome:
    """Read every cached assistant's canary deploy from Telnyx (a failure keeps the cache)."""

    def fetch() -> list[dict]:
        items = []
        for assistant_id in Assistant.objects.values_list("telnyx_id", flat=True):
            try:
                items.append(_cache_item(assistant_id, canary_api.retrieve(assistant_id)))
            except NotFoundError:
                items.append(_cache_item(assistant_id, None))
        return items

    return run_sync(CANARIES, fetch, lambda items: replace_cache(CanaryDeployCache, items, _cache_fields))


def _label(assistant_id: str) -> str:
    return Assistant.objects.filter(telnyx_id=assistant_id).values_list("name", flat=True).first() or assistant_id


def _history(*, user: PortalUser, assistant_id: str, rules: list[dict], kind: str) -> CanaryConfig:
    return CanaryConfig.objects.create(
        assistant_id=assistant_id, rules=rules, kind=kind, user=user if user.is_authenticated else None,
        username=user.get_username(), saved_at=timezone.now(),  # "" when nobody signed in
    )


def _write(*, user: PortalUser, assistant_id: str, rules: list[dict], current: CanaryDeploy, restoring: str = "",
           idempotency_key: str = "", summary: str = "") -> list[dict]:
    """Create (POST) or replace (PUT) the rules, whichever fits what Telnyx has now (`current`),
    then keep the split history and audit. `restoring` describes the history entry being restored."""
    label = _label(assistant_id)
    before = current.rules if current.exists else None
    action = "restore" if restoring else ("update" if current.exists else "create")
    key = idempotency_key or new_idempotency_key()
    saved: list[dict] = []

    def call() -> TelnyxResponse:
        if current.exists:
            return canary_api.update(assistant_id, rules, idempotency_key=key)
        return canary_api.create(assistant_id, rules, idempotency_key=key)

    def store(response: TelnyxResponse) -> None:
        saved[:] = normalise_canary(response.data) if response.data else rules
        remember_canary(assistant_id, response.data or {"rules": saved})
        forget_observed_split(assistant_id)
        _history(user=user, assistant_id=assistant_id, rules=saved,
                 kind=CanaryConfig.Kind.RESTORED if restoring else CanaryConfig.Kind.SAVED)

    what = f"restore the canary deploy {restoring}" if restoring else "save the canary deploy"
    if restoring:
        summary = summary or f"Restored the canary deploy {restoring} of “{label}”"
    else:  # `summary`: the caller's own words (a trial chat's temporary rule)
        summary = summary or f"{'Updated' if before is not None else 'Created'} the canary deploy of “{label}”"
    telnyx_write(call, user=user, action=action, resource_type=RESOURCE_TYPE, resource_id=assistant_id, label=label,
                 summary=summary, failure_summary=f"Tried to {what} of “{label}”",
                 changes=audit.diff({"rules": before}, {"rules": rules}), store=store)
    return saved


def canary_save(*, user: PortalUser, assistant_id: str, rules: list[dict], idempotency_key: str = "",
                loaded_rules: list[dict] | None = None) -> list[dict]:
    """Save the rules as the assistant's canary deploy (create it if there is none).

    `loaded_rules` are the rules the editor was opened on ([] for none): if someone saved
    other rules since, StaleFormError is raised and nothing is sent."""
    require_perm(user, ADMINISTER)
    current = _current_or_audit(user=user, assistant_id=assistant_id, rules=rules, what="save the canary deploy")
    refuse_if_stale_rules(loaded=loaded_rules, current=current.rules, rules=rules, what="the canary deploy")
    return _write(user=user, assistant_id=assistant_id, rules=rules, current=current, idempotency_key=idempotency_key)


def canary_restore(*, user: PortalUser, assistant_id: str, config_id: int, idempotency_key: str = "") -> list[dict]:
    """Send an earlier configuration from the split history to Telnyx again."""
    require_perm(user, ADMINISTER)
    config = CanaryConfig.objects.get(pk=config_id, assistant_id=assistant_id)
    when = timezone.localtime(config.saved_at).strftime("%Y-%m-%d %H:%M")
    restoring = f"saved {when} by {config.username or 'someone'}"
    current = _current_or_audit(user=user, assistant_id=assistant_id, rules=config.rules,
                                what=f"restore the canary deploy {restoring}", action="restore")
    return _write(user=user, assistant_id=assistant_id, rules=config.rules, current=current, restoring=restoring,
                  idempotency_key=idempotency_key)


def _current_or_audit(*, user: PortalUser, assistant_id: str, rules: list[dict], what: str,
                      action: str = "save") -> CanaryDeploy:
    """What Telnyx has now, read before a write; a failing read is audited as the failed write."""
    try:
        return canary_fetch(user=user, assistant_id=assistant_id)
    except TelnyxError as exc:
        label = _label(assistant_id)
        audit.record(user=user, action=action, resource_type=RESOURCE_TYPE, resource_id=assistant_id,
                     resource_label=label, summary=f"Tried to {what} of “{label}”",
                     changes=audit.diff({"rules": None}, {"rules": rules}), error=exc)
        raise


def canary_delete(*, user: PortalUser, assistant_id: str) -> bool:
    """Delete the canary deploy: all traffic goes to main. False if Telnyx had none."""
    require_perm(user, ADMINISTER)
    label = _label(assistant_id)
    try:
        current = canary_fetch(user=user, assistant_id=assistant_id)
    except TelnyxError as exc:
        audit.record(user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=assistant_id,
                     resource_label=label, summary=f"Tried to delete the canary deploy of “{label}”", error=exc)
        raise
    if not current.exists:
        return False

    def store(response: TelnyxResponse) -> None:
        remember_canary(assistant_id, None)
        forget_observed_split(assistant_id)
        _history(user=user, assistant_id=assistant_id, rules=current.rules, kind=CanaryConfig.Kind.DELETED)

    try:
        telnyx_write(lambda: canary_api.delete(assistant_id), user=user, action="delete", resource_type=RESOURCE_TYPE,
                     resource_id=assistant_id, label=label,
                     summary=f"Deleted the canary deploy of “{label}”: all traffic goes to main",
                     failure_summary=f"Tried to delete the canary deploy of “{label}”",
                     changes=audit.diff({"rules": current.rules}, None), store=store)
    except NotFoundError:
        return False
    return True


def canary_write_trial(*, user: PortalUser, assistant_id: str, rules: list[dict], current: CanaryDeploy,
                       summary: str) -> list[dict]:
    """Save rules that differ from `current` only by a trial chat's own rule (see
    assistants.services.trial_chat): Admin only, audited in the caller's words."""
    require_perm(user, ADMINISTER)
    return _write(user=user, assistant_id=assistant_id, rules=rules, current=current, summary=summary)
