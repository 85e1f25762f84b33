"""The three roles and the checks views and services use.

Viewer reads; Operator also chats, runs tests and triggers jobs; Admin also creates, edits,
deletes, promotes versions and changes canary deploys. Superusers can do everything.
"""

from __future__ import annotations

from functools import wraps
from typing import Callable

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from portal.models import Access

READ = "portal.read"
OPERATE = "portal.operate"
ADMINISTER = "portal.administer"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "Viewer": ["read"],
    "Operator": ["read", "operate"],
    "Admin": ["read", "operate", "administer"],
}


def role_name(user) -> str:
    """The highest role a user holds, for the user menu."""
    if not user.is_authenticated:
        return ""
    if user.is_superuser:
        return "Superuser"
    if user.has_perm(ADMINISTER):
        return "Admin"
    if user.has_perm(OPERATE):
        return "Operator"
    if user.has_perm(READ):
        return "Viewer"
    return "No role"


def require_perm(user, perm: str) -> None:
    """Raise PermissionDenied unless the user holds `perm`. Services call this too."""
    if user is None or not user.has_perm(perm):
        raise PermissionDenied("Your role does not allow this.")


def permission_required(perm: str) -> Callable:
    """View decorator: 403 (not a login redirect) for a logged-in user without `perm`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require_perm(request.user, perm)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


read_required = permission_required(READ)
operate_required = permission_required(OPERATE)
admin_required = permission_required(ADMINISTER)


def ensure_roles() -> None:
    """Create the three groups with their permissions if missing (the data migration does this
    on migrate; this restores them after a flush, e.g. in transactional tests)."""
    content_type = ContentType.objects.get_for_model(Access, for_concrete_model=False)
    names = dict(Access._meta.permissions)
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for codename in codenames:
            perm, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": names[codename]}
            )
            group.permissions.add(perm)
