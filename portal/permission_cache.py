"""Each user's permission set, kept in Django's cache between requests.

Django's ModelBackend loads a user's permissions with two joined queries on every request
(28% of a repeat changelist view in bench/changelists.py). This backend keeps the set under a
key holding the user, their superuser flag and the roles generation (a `CacheGeneration` row,
"auth.roles"), read with one indexed query per request. Every change that can alter a
permission set — group membership, a user's own permissions, a group's permissions, a group
or user deleted — bumps that generation in the same transaction, so the next request on any
app server computes the set afresh: a demoted Admin is refused at once. `is_active` needs no
bump: ModelBackend refuses inactive users before it looks at the set.

The generation lives in the database, not in the cache, because without REDIS_URL each
process has its own local-memory cache and a bump there would not reach the others.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db.models import signals

from portal import generations

ROLES_TABLE = "auth.roles"
# Only a bound on memory: correctness comes from the generation in the key.
TIMEOUT = 60 * 60


def roles_generation() -> int:
    return generations.current([ROLES_TABLE]).get(ROLES_TABLE, 0)  # read with the request's other generations


def bump_roles(**_) -> None:
    """Signal receiver: a permission set may have changed, forget every kept set."""
    generations.bump(ROLES_TABLE)


def _key(user_obj) -> str:
    return f"perms:{user_obj.pk}:{int(user_obj.is_superuser)}:{roles_generation()}"


class CachedPermissionsBackend(ModelBackend):
    """ModelBackend whose `get_all_permissions` comes from the cache while the roles hold."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):  # once per request, as ModelBackend does
            key = _key(user_obj)
            perms = cache.get(key)
            if perms is None:
                perms = super().get_all_permissions(user_obj)
                cache.set(key, perms, TIMEOUT)
            user_obj._perm_cache = perms
        return user_obj._perm_cache


def connect() -> None:
    """Bump the roles generation on every change that can alter a permission set."""
    def m2m(sender, action, **_):
        if action in ("post_add", "post_remove", "post_clear"):
            bump_roles()

    for through, uid in ((User.groups.through, "groups"), (User.user_permissions.through, "user-perms"),
                         (Group.permissions.through, "group-perms")):
        signals.m2m_changed.connect(m2m, sender=through, weak=False, dispatch_uid=f"roles:{uid}")
    for model in (User, Group):
        signals.post_delete.connect(bump_roles, sender=model, weak=False, dispatch_uid=f"roles-delete:{model.__name__}")
