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
