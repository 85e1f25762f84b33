"""Audit events for what happens at the login form: a lockout after too many wrong passwords."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.dispatch import receiver

from core.audit import record


@receiver(user_locked_out, dispatch_uid="portal-audit-lockout")
def audit_lockout(sender, request, username, ip_address, **kwargs) -> None:
    record(
        user=None,
        action="login_locked_out",
        resource_type="login",
        resource_id=(username or "")[:200],
        resource_label=(username or "")[:300],
        summary=f"Login locked out for {username!r} from {ip_address} after too many wrong passwords.",
    )
