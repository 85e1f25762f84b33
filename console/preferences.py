"""Each person's time zone: a small form (`/preferences/`) and the middleware that shows every
date in it. The zone is copied into the session at login and on save, so a page costs no query."""

from __future__ import annotations

from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from portal.models import UserPreference
from portal.roles import read_required

SESSION_KEY = "time_zone"


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones()) if "/" in name or name == "UTC"]


def zone_of(request: HttpRequest) -> str:
    """The signed-in person's zone, kept in their session at login and on every change: a page
    view costs no query for it."""
    return request.session.get(SESSION_KEY) or timezone.get_default_timezone_name()


@receiver(user_logged_in)
def _remember_zone_at_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        zone = UserPreference.objects.filter(user=user).values_list("time_zone", flat=True).first()
        if zone:
            request.session[SESSION_KEY] = zone


class TimeZoneMiddleware:
    """Activates the reader's time zone for the request (dates render in it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            try:
                timezone.activate(ZoneInfo(zone_of(request)))
            except (KeyError, ValueError):
                timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class PreferenceForm(forms.Form):
    time_zone = forms.ChoiceField(label="Your time zone", choices=zone_choices,
                                  help_text="Dates on every page are shown in this zone; hover one to see it in UTC.")


@require_http_methods(["GET", "POST"])
@read_required
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferenceForm(request.POST or None, initial={"time_zone": zone_of(request)})
    if request.method == "POST" and form.is_valid():
        zone = form.cleaned_data["time_zone"]
        UserPreference.objects.update_or_create(user=request.user, defaults={"time_zone": zone})
        request.session[SESSION_KEY] = zone
        messages.success(request, f"Dates are now shown in {zone.replace('_', ' ')}.")
        return redirect("preferences")
    return render(request, "console/preferences.html", {"form": form, "now_moment": timezone.now()})
