"""Saving the change form: update the assistant (new main version) or save a new version.

Every update makes a new version in Telnyx; `promote_to_main` decides whether it goes live.
"""

from __future__ import annotations

from assistants.models import PromotionRecord
from assistants.services.assistants import RESOURCE_TYPE, assistant_cache_put
from assistants.services.conflicts import refuse_if_stale
from assistants.services.versions import mark_main, version_cache_put
from core import audit
from core.types import PortalUser
from core.writes import telnyx_write
from portal.roles import ADMINISTER, require_perm
from portal.telnyx import TelnyxResponse, new_idempotency_key
from portal.telnyx.resources import assistants as assistants_api


def assistant_update(*, user: PortalUser, assistant_id: str, changes: dict, before: dict, promote_to_main: bool = True,
                     version_name: str = "", idempotency_key: str = "", loaded: dict | None = None) -> dict:
    """Save `changes` (only what changed) as a new version; main unless `promote_to_main` is False.

    `before` is the assistant as Telnyx has it now (read for this save), `changes` computed
    against it. `loaded` is what the form was opened on: if someone saved a setting since that
    this save would overwrite, StaleFormError is raised and nothing is sent. `idempotency_key`
    comes from the form, so a resubmitted form saves one version, not two. Returns Telnyx's
    object: the assistant (promoted) or the new, not-yet-live version.
    """
    require_perm(user, ADMINISTER)
    refuse_if_stale(loaded=loaded, current=before, changes=changes, what="this assistant")
    label = str(before.get("name") or assistant_id)
    body = {**changes, "promote_to_main": promote_to_main}
    if version_name:
        body["version_name"] = version_name
    main_before = str(before.get("version_id") or "")

    def store(response: TelnyxResponse) -> None:
        saved = response.data
        new_version = str(saved.get("version_id") or "")
        if promote_to_main:
            assistant_cache_put(saved)
            version_cache_put(saved, assistant_id=assistant_id, main_version_id=new_version)
            mark_main(assistant_id, new_version)
            if main_before:
                PromotionRecord.objects.create(assistant_id=assistant_id, from_version_id=main_before,
                                               to_version_id=new_version, user=user, kind=PromotionRecord.Kind.SAVE)
        else:
            # The answer is the new version, not the assistant: main (and its cache row) is unchanged.
            version_cache_put(saved, assistant_id=assistant_id, main_version_id=main_before)

    def summary(response: TelnyxResponse) -> str:
        saved = response.data
        new_version = str(saved.get("version_id") or "")
        if promote_to_main:
            return f"Saved assistant “{saved.get('name', label)}” (new main version {new_version})"
        return f"Saved a new version “{saved.get('version_name') or new_version}” of “{label}” (not live)"

    response = telnyx_write(
        lambda: assistants_api.update(assistant_id, body, idempotency_key=idempotency_key or new_idempotency_key()),
        user=user, action="update" if promote_to_main else "create version", resource_type=RESOURCE_TYPE,
        resource_id=assistant_id, label=label, summary=summary, failure_summary=f"Tried to save assistant “{label}”",
        changes=audit.diff({k: before.get(k) for k in changes}, changes), store=store,
    )
    return response.data
