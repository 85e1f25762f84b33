"""Who set a user's password: invite and password links are audited when issued and when used,
so an approval page can say when an approver's credentials were last set by someone else
(an Admin who can set another Admin's password could otherwise approve in their name unseen).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core import audit
from portal.models import AuditEvent

RESOURCE_TYPE = "user"
LINK_ISSUED = "invite_link"  # console.users.services.user_invite_link_issued
LINK_USED = "invite link used"
PASSWORD_SET = "set_password"  # an Admin typed a password for someone (console.users.services)
CREATED = "create"


def link_used(*, user) -> None:
    """`user`'s password was just set through a link; the audit names who issued the last one."""
    issued = _events(user).filter(action=LINK_ISSUED).first()
    by = f", issued by {issued.username} {issued.created_at:%Y-%m-%d %H:%M}" if issued else ""
    audit.record(user=user, action=LINK_USED, resource_type=RESOURCE_TYPE, resource_id=str(user.pk),
                 resource_label=user.username, summary=f"The password of {user.username} was set through an invite link{by}.",
                 changes={"issued by": {"before": None, "after": issued.username if issued else None}})


def _events(user):
    return AuditEvent.objects.filter(resource_type=RESOURCE_TYPE, resource_id=str(user.pk))


@dataclass(frozen=True)
class CredentialsNote:
    at: datetime
    by: str  # who set them, or who issued the link that set them
    how: str  # "set their password" | "issued the invite link that set it"


def last_set_by_someone_else(user) -> CredentialsNote | None:
    """When `user`'s password was last set by someone other than them, if the last time it was
    set at all was so: an Admin typing it (on creation or later), or a link someone else issued."""
    last = (_events(user).filter(action__in=[LINK_USED, PASSWORD_SET, CREATED])
            .order_by("-created_at", "-pk").first())
    if last is None:
        return None
    if last.action == LINK_USED:
        issuer = ((last.changes or {}).get("issued by") or {}).get("after")
        if issuer and issuer != user.username:
            return CredentialsNote(last.created_at, issuer, "issued the invite link that set it")
        return None
    if last.action == CREATED and "password" not in (last.changes or {}):
        return None  # created without a password: the user chose it through a link (recorded then)
    if last.username and last.username != user.username:
        return CredentialsNote(last.created_at, last.username, "set their password")
    return None
