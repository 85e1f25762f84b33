"""Saving the change form: update the assistant (new main version) or save a new version.

Every update makes a new version in Telnyx; `promote_to_main` decides whether it goes live.
"""

from __future__ import annotations

from django.db import transaction

from core import audit
from portal.roles import ADMINISTER, require_perm
from portal.telnyx import TelnyxError, get_client

from assistants.models import PromotionRecord
from assistants.services.assistants import RESOURCE_TYPE, assistant_cache_put
from assistants.services.versions import mark_main, version_cache_put


def assistant_update(*, user, assistant_id: str, changes: dict, before: dict, promote_to_main: bool = True,
                     version_name: str = "") -> dict:
    """Save `changes` (only what changed) as a new version; main unless `promote_to_main` is False.

    `before` is the object the form was built from, for the audit diff. Returns Telnyx's
    object: the assistant (promoted) or the new, not-yet-live version.
    """
    require_perm(user, ADMINISTER)
    label = str(before.get("name") or assistant_id)
    body = {**changes, "promote_to_main": promote_to_main}
    if version_name:
        body["version_name"] = version_name
    change_log = audit.diff({k: before.get(k) for k in changes}, changes)
    action = "update" if promote_to_main else "create version"
    try:
        response = get_client().post(f"ai/assistants/{assistant_id}", json=body)
    except TelnyxError as exc:
        audit.record(user=user, action=action, resource_type=RESOURCE_TYPE, resource_id=assistant_id,
                     resource_label=label, summary=f"Tried to save assistant “{label}”", changes=change_log, error=exc)
        raise
    saved = response.data
    new_version = str(saved.get("version_id") or "")
    with transaction.atomic():
        if promote_to_main:
            assistant_cache_put(saved)
            version_cache_put(saved, assistant_id=assistant_id, main_version_id=new_version)
            mark_main(assistant_id, new_version)
            if before.get("version_id"):
                PromotionRecord.objects.create(assistant_id=assistant_id, from_version_id=before["version_id"],
                                               to_version_id=new_version, user=user, kind=PromotionRecord.Kind.SAVE)
            summary = f"Saved assistant “{saved.get('name', label)}” (new main version {new_version})"
        else:
            # The answer is the new version, not the assistant: main (and its cache row) is unchanged.
            version_cache_put(saved, assistant_id=assistant_id, main_version_id=str(before.get("version_id") or ""))
            summary = f"Saved a new version “{saved.get('version_name') or new_version}” of “{label}” (not live)"
        audit.record(user=user, action=action, resource_type=RESOURCE_TYPE, resource_id=assistant_id,
                     resource_label=saved.get("name", label), summary=summary, changes=change_log, response=response)
    return saved
