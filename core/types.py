"""Types the apps share: who acts (a user, or nobody signed in) and a request HTMX decorated."""

from __future__ import annotations

from typing import Union

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

#: the `user` every service takes; services check its role themselves
PortalUser = Union[AbstractBaseUser, AnonymousUser]


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest after django-htmx's middleware: `request.htmx` says whether HTMX sent it."""

    htmx: HtmxDetails


class SystemActor:
    """The portal acting by itself on someone's behalf (the release engine advancing a plan an
    Admin started): it holds that person's permissions, is recorded under its own name
    ("release engine (started by alice)") and is never a signed-in user (no user foreign key)."""

    is_authenticated = False
    is_active = True
    pk = None

    def __init__(self, name: str, on_behalf_of):
        self.name, self.on_behalf_of = name, on_behalf_of

    @property
    def username(self) -> str:
        starter = getattr(self.on_behalf_of, "username", "") or "someone no longer known"
        return f"{self.name} (started by {starter})"[:150]

    def get_username(self) -> str:
        return self.username

    def has_perm(self, perm: str, obj=None) -> bool:
        """What the person it acts for may do now (a starter who lost the role stops it)."""
        user = self.on_behalf_of
        return bool(user is not None and user.is_active and user.has_perm(perm, obj))

    def __str__(self) -> str:
        return self.username
