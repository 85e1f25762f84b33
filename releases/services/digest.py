"""What an approval covers, as one SHA-256: the configuration of every version it sends traffic
to and the canary rules it makes live. An approval binds to the digest of what its page
showed; it is used only while the content still has that digest, so a version edited in place
(or rules changed) after the second Admin looked can never go live on their click.
"""

from __future__ import annotations

import hashlib
import json

from assistants.services.versions import version_fetch
from core.skips import shown
from portal.converters import is_telnyx_id
from portal.telnyx import TelnyxError

# Ids, names and timestamps say nothing about what callers get.
NOT_CONTENT = {"id", "created_at", "updated_at", "version_id", "version_name", "version_created_at"}


class ContentUnreadable(Exception):
    """A version could not be read from Telnyx, so nobody can tell whether it changed."""


def content_digest(*, versions: dict[str, dict] | None = None, rules: list | None = None, extra=None) -> str:
    """The digest of versions' configurations ({version id: Telnyx's object}), rules and any
    `extra` value (e.g. the plan's steps), in a canonical JSON form."""
    content = {
        "versions": {vid: {k: v for k, v in (config or {}).items() if k not in NOT_CONTENT}
                     for vid, config in sorted((versions or {}).items())},
        "rules": rules, "extra": extra,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def read_versions(*, user, assistant_id: str, version_ids) -> dict[str, dict]:
    """Each version as Telnyx has it now. A cached copy is not good enough to vouch for it."""
    found = {}
    for version_id in sorted(set(version_ids)):
        if not is_telnyx_id(version_id):  # ids in rules come from Telnyx: never into a path unchecked
            raise ContentUnreadable(f"A rule serves {shown(version_id)}, which is not a version id the portal can use, "
                                    "so nobody can check what it serves. Correct the rules on the Canary tab.")
        try:
            result = version_fetch(user=user, assistant_id=assistant_id, version_id=version_id)
            if result.error is not None:
                raise result.error
        except TelnyxError as exc:
            raise ContentUnreadable(f"Could not read version {version_id} to check that it is unchanged. "
                                    f"{exc.user_message}") from exc
        found[version_id] = result.data
    return found


def served_versions(rules: list | None, *, main_version_id: str) -> set[str]:
    """The versions other than main that the rules send traffic to."""
    found = set()
    for rule in rules or []:
        serve = rule.get("serve") or {}
        if serve.get("version_id"):
            found.add(serve["version_id"])
        found |= {slot.get("version_id", "") for slot in serve.get("rollout") or []}
    return {v for v in found if v and v != main_version_id}


def current_digest(*, user, assistant_id: str, version_ids, rules: list | None = None, extra=None) -> str:
    """The digest of the versions as Telnyx has them now, with `rules` and `extra`.
    Raises ContentUnreadable when Telnyx cannot be read."""
    versions = read_versions(user=user, assistant_id=assistant_id, version_ids=version_ids)
    return content_digest(versions=versions, rules=rules, extra=extra)
