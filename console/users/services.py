"""Managing the portal's users: create, set role, (de)activate, set a password, all audited.

The last active Admin can be neither demoted nor deactivated, so the team is never locked
out of its own administration.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.cache import caches
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q

from core.audit import record
from portal.models import UserSession
from portal.roles import ADMINISTER, ROLE_PERMISSIONS, require_perm

ROLES = list(ROLE_PERMISSIONS)  # Viewer, Operator, Admin
NO_ROLE = ""
RESOURCE_TYPE = "user"


class LastAdminError(Exception):
    """The change would leave the portal without an active Admin."""

    def __init__(self) -> None:
        super().__init__("This is the last active Admin: make someone else an Admin first.")


def user_role(user: User) -> str:
    """The one portal role a user holds ("" for none); superusers count as Admin."""
    names = {g.name for g in user.groups.all()}
    for role in reversed(ROLES):
        if role in names:
            return role
    return "Admin" if user.is_superuser else NO_ROLE


def _active_admins() -> Q:
    return Q(is_active=True) & (Q(is_superuser=True) | Q(groups__name="Admin"))


def _guard_last_admin(target: User, *, keeps_admin: bool) -> None:
    if keeps_admin or user_role(target) != "Admin":
        return
    others = User.objects.filter(_active_admins()).exclude(pk=target.pk).distinct()
    if not others.exists():
        raise LastAdminError()


def _audit(actor: User, action: str, target: User, summary: str, changes: dict | None = None) -> None:
    record(user=actor, action=action, resource_type=RESOURCE_TYPE, resource_id=str(target.pk),
           resource_label=target.username, summary=summary, changes=changes)


def end_sessions(user: User) -> int:
    """Log `user` out everywhere at once: every stored session of theirs is deleted (from the
    cache too, with the cached_db engine), so no old cookie works again, even after a
    reactivation. The session engines keep the user's id in an indexed column of the session
    table (`portal.session_engines`), so this reads their rows only, whatever the number of
    other sessions (bench figure in bench/README.md). Returns how many ended."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user_id=user.pk).values_list("session_key", flat=True))
    if prefix := getattr(store, "cache_key_prefix", ""):  # cached_db: the cached copies go too
        caches[settings.SESSION_CACHE_ALIAS].delete_many([prefix + key for key in keys])
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def _set_groups(user: User, role: str) -> None:
    user.groups.remove(*Group.objects.filter(name__in=ROLES))
    if role:
        user.groups.add(Group.objects.get(name=role))


@transaction.atomic
def user_create(*, actor: User, username: str, email: str, role: str, password: str | None) -> User:
    """Create a user with a role. Without a password the user gets none until they follow
    their invite link (a password-reset link) or an Admin sets one."""
    require_perm(actor, ADMINISTER)
    user = User(username=username, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    _set_groups(user, role)
    # "password" (redacted) says the Admin chose it: core.credentials reads that.
    _audit(actor, "create", user, f"Created user {username} with role {role or 'none'}.",
           {"role": {"before": None, "after": role or None}, **({"password": {"before": None, "after": "set"}} if password else {})})
    return user


@transaction.atomic
def user_set_role(*, actor: User, user: User, role: str) -> None:
    require_perm(actor, ADMINISTER)
    before = user_role(user)
    if before == role:
        return
    _guard_last_admin(user, keeps_admin=role == "Admin")
    _set_groups(user, role)
    end_sessions(user)  # a demoted user's open pages must not keep the old role's forms
    _audit(actor, "set_role", user, f"Role of {user.username}: {before or 'none'} → {role or 'none'}.",
           {"role": {"before": before or None, "after": role or None}})


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> None:
    require_perm(actor, ADMINISTER)
    if user.is_active == active:
        return
    if not active:
        _guard_last_admin(user, keeps_admin=False)
    user.is_active = active
    user.save(update_fields=["is_active"])
    end_sessions(user)
    _audit(actor, "activate" if active else "deactivate", user,
           f"{'Reactivated' if active else 'Deactivated'} user {user.username}.")


def user_invite_link_issued(*, actor: User, user: User) -> None:
    """An Admin was shown a fresh invite (password-reset) link for `user`: whoever holds it can
    choose the password, so issuing one is audited like setting one."""
    require_perm(actor, ADMINISTER)
    _audit(actor, "invite_link", user, f"Issued a new invite link for {user.username}.")


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> None:
    """Set a new password (the audit says that it changed, never what to)."""
    require_perm(actor, ADMINISTER)
    user.set_password(password)
    user.save(update_fields=["password"])
    end_sessions(user)
    _audit(actor, "set_password", user, f"Set a new password for {user.username}.")


#: What each role may do, in the words the user pages show.
ROLE_DESCRIPTIONS = {
    "Viewer": "Reads every page: assistants, versions, conversations, tests and runs, the audit log. Changes nothing.",
    "Operator": "Everything a Viewer does, and chats with assistants, runs tests and suites, starts embeddings and clusters.",
    "Admin": "Everything an Operator does, and creates, edits and deletes assistants, promotes versions, sets canaries, "
             "manages users.",
}


def pending_invites():
    """Users invited but not in yet: active, no password chosen, never logged in."""
    return [u for u in User.objects.filter(is_active=True, last_login__isnull=True).order_by("-date_joined")
            if not u.has_usable_password()]


def user_email_invite(*, actor: User, user: User, link: str) -> None:
    """Send `user` their invite link by email (audited, never with the link in the record)."""
    send_mail("Your Telnyx AI Portal invite",
              f"{actor.get_username()} invited you to the Telnyx AI Portal as {user_role(user) or 'a user'}.\n\n"
              f"Choose your password here (the link works once):\n{link}\n",
              None, [user.email])
    _audit(actor, "invite", user, f"Emailed an invite link to {user.username} ({user.email})")
