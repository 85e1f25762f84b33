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
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core.changelist.columns import SESSION_KEY as COLUMNS_SESSION_KEY
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
        found = UserPreference.objects.filter(user=user).values_list("time_zone", "hidden_columns").first()
        if found:
            zone, hidden = found
            if zone:
                request.session[SESSION_KEY] = zone
            request.session[COLUMNS_SESSION_KEY] = hidden or {}


class TimeZoneMiddleware:
    """Activates the reader's time zone for the request (dates render in it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Not in __call__: the user (and so the session) is read only once the view is known, so
        # what it asked to read rides on the session's query (`portal.read_ahead`).
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            try:
                timezone.activate(ZoneInfo(zone_of(request)))
            except (KeyError, ValueError):
                timezone.deactivate()
        return None


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


@require_POST
@read_required
def columns_save(request: HttpRequest) -> HttpResponse:
    """A list's column chooser: the columns offered and not ticked are hidden for this person on
    that list from now on (kept in their preferences; the priority columns are never offered)."""
    key = request.POST.get("list", "")[:100]
    offered = [c[:100] for c in request.POST.getlist("column")[:100]]
    shown = set(request.POST.getlist("show"))
    hidden = sorted({c for c in offered if c not in shown})
    preference, _ = UserPreference.objects.get_or_create(user=request.user)
    chosen = {k: v for k, v in (preference.hidden_columns or {}).items() if k != key}
    if key and hidden:
        chosen[key] = hidden
    preference.hidden_columns = chosen
    preference.save(update_fields=["hidden_columns"])
    request.session[COLUMNS_SESSION_KEY] = chosen
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = "/"
    return redirect(back)
