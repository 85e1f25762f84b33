"""The login page's answer to a locked-out user (django-axes' AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def login_locked_out(request: HttpRequest, credentials: dict, *args, **kwargs) -> HttpResponse:
    """What a locked-out login sees (django-axes' AXES_LOCKOUT_CALLABLE): the login page with
    a message saying why and for how long, status 429."""
    form = AuthenticationForm(request, initial={"username": (credentials or {}).get("username", "")})
    context = {
        "form": form,
        "locked_out": True,
        "throttle": getattr(request, "login_throttle", ""),
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "next": request.POST.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)
