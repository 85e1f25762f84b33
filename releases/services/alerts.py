"""Telling people about release events. One function so later alert channels extend one place."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q

from portal.roles import ADMINISTER

log = logging.getLogger(__name__)


def _recipients() -> list[str]:
    configured = list(getattr(settings, "RELEASES_ALERT_EMAILS", []) or [])
    if configured:
        return configured
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    admins = users.filter(Q(is_superuser=True) | Q(groups__permissions__codename=ADMINISTER.split(".")[1])).distinct()
    return sorted(set(admins.values_list("email", flat=True)))


def notify_release_event(*, plan, event: str, message: str) -> int:
    """Alert about a plan event (`aborted`, `paused`, `approval_needed`, `completed`) by email.

    Returns how many messages went out; a mail failure is logged, never raised, because
    the plan's own state has already been recorded.
    """
    recipients = _recipients()
    if not recipients:
        return 0
    subject = f"[Telnyx portal] Rollout of {plan.candidate_name or plan.candidate_version_id}: {event}"
    try:
        return send_mail(subject, message, None, recipients)
    except OSError:
        log.exception("release alert email failed for plan %s", plan.pk)
        return 0
