"""The 403 page: says what the role allows, offers a way back and names who can grant access."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from portal.roles import ADMINISTER

# A team has a handful of Admins; the page names a few, never a whole directory.
ADMINS_SHOWN = 5


def admins() -> list[User]:
    """Active users who can change roles: members of the Admin group and superusers."""
    app_label, codename = ADMINISTER.split(".")
    grants = Q(is_superuser=True) | Q(
        groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label
    )
    return list(User.objects.filter(grants, is_active=True).distinct().order_by("username")[:ADMINS_SHOWN])


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    body = render_to_string("403.html", {"admins": admins()}, request=request)
    return HttpResponse(body, status=403)
