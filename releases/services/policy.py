"""Two-person approval: on for every assistant by setting, or per assistant."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied

from core import audit
from portal.roles import ADMINISTER, require_perm
from releases.models import ReleasePolicy

RESOURCE_TYPE = "release"


def two_person_required(assistant_id: str) -> bool:
    """The assistant's own choice if it has one, else RELEASES_TWO_PERSON_APPROVAL."""
    policy = ReleasePolicy.objects.filter(assistant_id=assistant_id).first()
    return policy.two_person_approval if policy else bool(settings.RELEASES_TWO_PERSON_APPROVAL)


def approval_lifetime() -> timedelta:
    return timedelta(hours=float(settings.RELEASES_APPROVAL_TTL_HOURS))


def policy_set(*, user, assistant_id: str, two_person_approval: bool, approved: bool = False) -> ReleasePolicy:
    """Turn two-person approval on or off for one assistant (audited). While it is on, turning it
    off needs a second Admin's approval (`approved`, see releases.services.live.policy_change)."""
    require_perm(user, ADMINISTER)
    before = two_person_required(assistant_id)
    if before and not two_person_approval and not approved:
        raise PermissionDenied("Two-person approval is on: turning it off needs a second Admin's approval.")
    policy, _ = ReleasePolicy.objects.update_or_create(
        assistant_id=assistant_id, defaults={"two_person_approval": two_person_approval, "updated_by": user.username})
    audit.record(user=user, action="policy", resource_type=RESOURCE_TYPE, resource_id=assistant_id,
                 summary=f"Two-person approval {'on' if two_person_approval else 'off'} for promotions and held steps",
                 changes=audit.diff({"two_person_approval": before}, {"two_person_approval": two_person_approval}))
    return policy
