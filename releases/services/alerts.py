"""Telling people about release events: by email, and as Slack-compatible JSON to the webhooks
an admin configured (RELEASES_ALERT_WEBHOOK_URLS), on the same delivery code as suite alerts.

Each event makes one `ReleaseAlert` per channel; `releases.tasks.deliver_release_alert` sends
it and retries a failed attempt with backoff, every attempt kept and shown on the plan page.
A failed alert never changes the plan: its state has been recorded before anyone is told.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.background import eager, enqueue, task_named
from portal.roles import ADMINISTER
from releases.models import ReleaseAlert
from testing.services.alerts import delivery_error, post_json

DELIVER_TASK = "releases.tasks.deliver_release_alert"


def _admin_emails(*, excluding=None) -> list[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if excluding is not None:
        users = users.exclude(pk=excluding.pk)
    admins = users.filter(Q(is_superuser=True) | Q(groups__permissions__codename=ADMINISTER.split(".")[1])).distinct()
    return sorted(set(admins.values_list("email", flat=True)))


def _recipients(*, approvers_for=None) -> list[str]:
    """RELEASES_ALERT_EMAILS, else the Admins; for an approval, the Admins who can approve it
    (not the requester when a second Admin is needed), falling back to the configured list."""
    configured = list(getattr(settings, "RELEASES_ALERT_EMAILS", []) or [])
    if approvers_for is not None:
        requester = approvers_for.requested_by if approvers_for.needs_second_admin else None
        return _admin_emails(excluding=requester) or configured
    return configured or _admin_emails()


def plan_link(plan) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("releases:plan-detail", args=[plan.assistant_id, plan.pk])


def notify_release_event(*, plan, event: str, message: str, approval=None) -> list[ReleaseAlert]:
    """Alert about a plan event (`aborted`, `paused`, `approval needed`, `completed`) on every
    channel configured; `approval` (a request waiting) sends it to the Admins who can decide it.
    Returns the alerts queued (delivered at once where tasks run inline)."""
    name = plan.candidate_name or plan.candidate_version_id
    subject = f"[Telnyx portal] Rollout of {name}: {event}"[:200]
    link = plan_link(plan)
    if approval is not None:
        link = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
            "releases:approval-detail", args=[plan.assistant_id, approval.pk])
    payload = {"text": f"Rollout of {name} ({plan.assistant_id}): {event}. {message} {link}",
               "event": event, "assistant_id": plan.assistant_id, "candidate_version_id": plan.candidate_version_id,
               "plan_id": plan.pk, "status": plan.status, "step": plan.current_step + 1, "message": message, "url": link}
    targets = []
    recipients = _recipients(approvers_for=approval)
    if recipients:
        targets.append((ReleaseAlert.Channel.EMAIL, ", ".join(recipients)))
    targets += [(ReleaseAlert.Channel.WEBHOOK, url) for url in getattr(settings, "RELEASES_ALERT_WEBHOOK_URLS", [])]
    alerts = [ReleaseAlert.objects.create(plan=plan, event=event[:40], channel=channel, target=target[:1000],
                                          subject=subject, payload=payload) for channel, target in targets]
    for alert in alerts:
        _queue(alert.pk)
    return alerts


def _queue(alert_id: int) -> None:
    if eager():
        task_named(DELIVER_TASK).apply(args=[alert_id], throw=False)
    else:
        transaction.on_commit(lambda: enqueue(DELIVER_TASK, alert_id))


def release_alert_attempt(alert: ReleaseAlert, *, last_try: bool) -> str:
    """Try once to deliver; record the attempt and the alert's state. Returns the error ("" if delivered)."""
    try:
        if alert.channel == ReleaseAlert.Channel.EMAIL:
            send_mail(alert.subject, alert.payload.get("text", ""), settings.DEFAULT_FROM_EMAIL,
                      [a.strip() for a in alert.target.split(",")])
        else:
            post_json(alert.target, alert.payload)
        error = ""
    except Exception as exc:  # every failure is recorded in words and retried
        error = delivery_error(exc)
    now = timezone.now()
    alert.attempts += 1
    alert.last_error = error
    alert.attempt_log = [*alert.attempt_log, {"at": now.isoformat(), "ok": not error, "error": error}]
    if not error:
        alert.status, alert.delivered_at = ReleaseAlert.Status.DELIVERED, now
    else:
        alert.status = ReleaseAlert.Status.FAILED if last_try else ReleaseAlert.Status.RETRYING
    alert.save(update_fields=["attempts", "last_error", "attempt_log", "status", "delivered_at"])
    return error
