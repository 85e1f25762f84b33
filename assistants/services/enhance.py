""""Improve instructions": Telnyx's enhance endpoint writes better instructions, which are saved
as a draft version (never live) for the admin to compare with main and promote or not."""

from __future__ import annotations

from assistants.models import Assistant
from assistants.services.assistants import RESOURCE_TYPE
from assistants.services.versions import version_cache_put
from core.types import PortalUser
from core.writes import telnyx_write
from portal.roles import ADMINISTER, require_perm
from portal.telnyx import TelnyxError, new_idempotency_key
from portal.telnyx.resources import assistants as assistants_api

DRAFT_NAME = "Improved instructions (draft)"


class NothingImproved(TelnyxError):
    default_message = "Telnyx answered no improved instructions; nothing was saved."


def improve_instructions(*, user: PortalUser, assistant_id: str, prompt: str = "", idempotency_key: str = "") -> dict:
    """Ask Telnyx for improved instructions, then save them as a new non-main version.
    Returns the new version (its `version_id` is what to compare with main)."""
    require_perm(user, ADMINISTER)
    text = assistants_api.enhance_instructions(assistant_id, {"enhancement_prompt": prompt} if prompt else {}).strip()
    if not text:
        raise NothingImproved()
    body = {"instructions": text, "promote_to_main": False, "version_name": DRAFT_NAME}
    label = Assistant.cached_label(assistant_id)

    def store(response) -> None:
        main = Assistant.objects.filter(telnyx_id=assistant_id).values_list("version_id", flat=True).first() or ""
        if response.data.get("version_id"):
            version_cache_put(response.data, assistant_id=assistant_id, main_version_id=main)

    response = telnyx_write(
        lambda: assistants_api.update(assistant_id, body, idempotency_key=idempotency_key or new_idempotency_key()),
        user=user, action="improve_instructions", resource_type=RESOURCE_TYPE, resource_id=assistant_id, label=label,
        summary=lambda r: f"Saved improved instructions as draft version {r.data.get('version_id', '')} (not live)",
        failure_summary="Tried to save improved instructions as a draft version",
        changes={"instructions": {"after": text}, "enhancement_prompt": prompt}, store=store,
    )
    return response.data
