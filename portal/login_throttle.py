"""Login throttling beyond django-axes' per (username, address) lockout, and the client
address every throttle counts by.

Axes locks one username from one address after AXES_FAILURE_LIMIT wrong passwords. That
alone never slows one common password tried over every username (spraying), nor one
username guessed from many addresses. So, over the last LOGIN_THROTTLE_MINUTES, failed logins
are also counted (axes' AccessFailureLog, shared by every process and server):
- from one address, whatever the username (LOGIN_MAX_FAILURES_PER_ADDRESS);
- for one username, whatever the address (LOGIN_MAX_FAILURES_PER_USERNAME);
- across the whole portal (LOGIN_MAX_FAILURES_GLOBAL).
Past any of them a login is refused before its password is checked (429, saying why) until
the window moves on. The per-username and global limits let an attacker slow logins down
for others; they are set well above what a team mistypes, and say so on the page.

The client address is REMOTE_ADDR unless that is one of TRUSTED_PROXIES: then it is the
nearest address in CLIENT_IP_HEADER (X-Forwarded-For by default) that is not a trusted
proxy. A client cannot choose its address by sending the header itself.
"""

from __future__ import annotations

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessFailureLog
from axes.signals import user_locked_out
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


def client_ip(request: HttpRequest) -> str:
    """The client's address, through trusted proxies only (AXES_CLIENT_IP_CALLABLE)."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = set(settings.TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    hops = [hop.strip() for hop in request.META.get(settings.CLIENT_IP_HEADER, "").split(",") if hop.strip()]
    for hop in reversed(hops):  # the right end was added by our own proxy, the left by anyone
        if hop not in trusted:
            return hop
    return remote


def throttle_reason(*, ip: str, username: str) -> str:
    """Why a login from `ip` for `username` is refused now ("" if it is not)."""
    since = timezone.now() - timedelta(minutes=settings.LOGIN_THROTTLE_MINUTES)
    failures = AccessFailureLog.objects.filter(attempt_time__gte=since)
    window = f"in the last {settings.LOGIN_THROTTLE_MINUTES} minutes"
    if ip and failures.filter(ip_address=ip).count() >= settings.LOGIN_MAX_FAILURES_PER_ADDRESS:
        return f"Too many failed logins from your address {window}."
    if username and failures.filter(username=username).count() >= settings.LOGIN_MAX_FAILURES_PER_USERNAME:
        return f"Too many failed logins for this username {window}, from several addresses."
    if failures.count() >= settings.LOGIN_MAX_FAILURES_GLOBAL:
        return f"Too many failed logins across the portal {window}: logins are slowed for everyone."
    return ""


def prune_failures() -> int:
    """Delete failed logins older than every window that counts them (this throttle's and axes'
    cool-off): axes prunes its failure log by count per user only, never by age, so without
    this the table, and every throttle count over it, grows for ever. Returns how many went."""
    keep = max(timedelta(minutes=settings.LOGIN_THROTTLE_MINUTES), settings.AXES_COOLOFF_TIME or timedelta(0))
    deleted, _ = AccessFailureLog.objects.filter(attempt_time__lt=timezone.now() - keep).delete()
    return deleted


class ThrottlingHandler(AxesDatabaseHandler):
    """Axes' database handler, also locked while a throttle above applies (AXES_HANDLER)."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        reason = throttle_reason(ip=getattr(request, "axes_ip_address", None) or client_ip(request),
                                 username=get_client_username(request, credentials) or "")
        if reason:
            request.login_throttle = reason
        return bool(reason)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        """Axes flags a lockout only when its own count is reached; a throttled attempt is
        flagged here too, so the middleware answers with the 429 page and it is audited."""
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and getattr(request, "login_throttle", "") and not getattr(request, "axes_locked_out", False):
            request.axes_locked_out, request.axes_credentials = True, credentials
            user_locked_out.send("axes", request=request, username=get_client_username(request, credentials),
                                 ip_address=request.axes_ip_address)
