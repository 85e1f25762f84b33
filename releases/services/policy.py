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
    if policy is not None and policy.two_person_approval is not None:
        return policy.two_person_approval
    return bool(settings.RELEASES_TWO_PERSON_APPROVAL)


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


def release_suites_set(*, user, assistant_id: str, suites: list[str] | None) -> ReleasePolicy:
    """Choose the suites a version must pass before promotion (None = every suite calling the
    assistant). Audited."""
    require_perm(user, ADMINISTER)
    policy, _ = ReleasePolicy.objects.get_or_create(assistant_id=assistant_id)
    before = policy.release_suites
    policy.release_suites, policy.updated_by = (sorted(suites) if suites is not None else None), user.username
    policy.save(update_fields=["release_suites", "updated_by", "updated_at"])
    audit.record(user=user, action="release suites", resource_type=RESOURCE_TYPE, resource_id=assistant_id,
                 summary=f"Release suites: {', '.join(policy.release_suites) if policy.release_suites is not None else 'all'}",
                 changes=audit.diff({"release_suites": before}, {"release_suites": policy.release_suites}))
    return policy


def designated_suites(assistant_id: str, suites: list[str]) -> list[str]:
    """Of the assistant's `suites`, those it designates as release suites (all by default)."""
    chosen = ReleasePolicy.objects.filter(assistant_id=assistant_id).values_list("release_suites", flat=True).first()
    return suites if chosen is None else [s for s in suites if s in chosen]
