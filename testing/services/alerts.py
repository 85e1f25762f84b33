"""Suite alerts: the rule an Operator sets per suite, deciding whether a finished run alerts,
and delivering one alert (email or Slack-compatible webhook) with every attempt recorded.

A run alerts once per channel (`AlertDelivery` is unique per run, channel and target), so the
page's polling and the tracking task finishing the same run never send it twice. Deliveries
run as `testing.tasks.deliver_alert`, which retries a failed attempt with backoff.
"""

from __future__ import annotations

import json
import smtplib
import socket
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import audit
from core.background import enqueue
from portal.roles import OPERATE, require_perm
from testing.models import AlertAttempt, AlertDelivery, SuiteAlert, SuiteRun

WEBHOOK_TIMEOUT = (5, 10)  # connect, read seconds
RESOURCE_TYPE = "test_suite"
DELIVER_TASK = "testing.tasks.deliver_alert"


def webhook_choices() -> list[tuple[str, str]]:
    """The webhooks an admin configured; alerts are never sent anywhere else."""
    return [(url, url) for url in settings.ALERT_WEBHOOK_URLS]


def alert_for(suite_name: str) -> SuiteAlert:
    return SuiteAlert.objects.filter(suite=suite_name).first() or SuiteAlert(suite=suite_name)


def alert_save(*, user, suite_name: str, data: dict) -> SuiteAlert:
    """Save the suite's alert rule (cleaned `AlertForm` data), audited."""
    require_perm(user, OPERATE)
    if data.get("webhook_url") and data["webhook_url"] not in settings.ALERT_WEBHOOK_URLS:
        raise ValueError("That webhook is not one an admin configured.")
    alert = alert_for(suite_name)
    fields = ("threshold_percent", "on_error", "email_to", "webhook_url")
    before = {f: getattr(alert, f) for f in fields} if alert.pk else None
    with transaction.atomic():
        alert.threshold_percent = data.get("threshold_percent")
        alert.on_error = bool(data.get("on_error"))
        alert.email_to = data.get("email_to") or ""
        alert.webhook_url = data.get("webhook_url") or ""
        alert.save()
        audit.record(user=user, action="update", resource_type=RESOURCE_TYPE, resource_id=suite_name, resource_label=suite_name,
                     summary=f"Changed the alerts of suite “{suite_name}”",
                     changes=audit.diff(before, {f: getattr(alert, f) for f in fields}))
    return alert


def alert_reason(alert: SuiteAlert, suite_run: SuiteRun) -> str:
    """Why this finished run alerts, in words ("" when it does not)."""
    reasons = []
    rate = suite_run.pass_rate
    if alert.threshold_percent and rate is not None and rate * 100 < alert.threshold_percent:
        reasons.append(f"pass rate {round(rate * 100)}% is below {alert.threshold_percent}%")
    if alert.on_error and suite_run.errored:
        reasons.append(f"{suite_run.errored} test run{'s' if suite_run.errored != 1 else ''} ended in error")
    return "; ".join(reasons)


def alerts_for_finished_run(suite_run: SuiteRun) -> list[AlertDelivery]:
    """Queue the alerts a just-finished run calls for (each channel once per run)."""
    alert = SuiteAlert.objects.filter(suite=suite_run.suite).first()
    reason = alert_reason(alert, suite_run) if alert else ""
    if not reason:
        return []
    targets = []
    if alert.recipients:
        targets.append((AlertDelivery.Channel.EMAIL, ", ".join(alert.recipients)))
    if alert.webhook_url and alert.webhook_url in settings.ALERT_WEBHOOK_URLS:
        targets.append((AlertDelivery.Channel.WEBHOOK, alert.webhook_url))
    queued = []
    for channel, target in targets:
        delivery, created = AlertDelivery.objects.get_or_create(
            suite_run=suite_run, channel=channel, target=target, defaults={"reason": reason[:300]})
        if created:
            queued.append(delivery)
            transaction.on_commit(lambda pk=delivery.pk: _queue(pk))
    return queued


def _queue(delivery_id: int) -> None:
    enqueue(DELIVER_TASK, delivery_id)


def run_link(suite_run: SuiteRun) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("testing:suite-run-detail", args=[suite_run.suite, suite_run.batch_id])


def alert_message(delivery: AlertDelivery) -> dict:
    """The alert as the webhook's JSON: Slack's `text`, plus the same facts as fields."""
    run = delivery.suite_run
    version = run.version_id or "main version"
    rate = run.pass_rate
    text = (f"Suite “{run.suite}” on {version}: {delivery.reason} — {run.passed}/{run.total} passed, "
            f"{run.failed} failed, {run.errored} error. {run_link(run)}")
    return {"text": text, "suite": run.suite, "version": run.version_id or "main", "status": run.status,
            "pass_rate": round(rate, 4) if rate is not None else None, "passed": run.passed, "failed": run.failed,
            "errored": run.errored, "total": run.total, "reason": delivery.reason, "url": run_link(run),
            "scheduled": run.schedule_id is not None}


def _send_email(delivery: AlertDelivery, message: dict) -> None:
    subject = f"[Telnyx portal] Suite “{message['suite']}”: {delivery.reason}"[:200]
    send_mail(subject, message["text"], settings.DEFAULT_FROM_EMAIL, [a.strip() for a in delivery.target.split(",")])


def slack_escape(text: str) -> str:
    """Text as Slack's message formatting documents it: &, < and > as HTML entities, so a
    name from Telnyx (`<!channel>`, `<https://x|y>`, `<@U123>`) shows as typed and never
    becomes a mention or a disguised link. The alert's own link is a bare URL, which Slack
    links by itself and shows as it is."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def post_json(url: str, message: dict) -> None:
    """POST one Slack-compatible JSON alert. Only admin-configured URLs get here (suite alerts,
    release alerts); raises on any failure (`delivery_error` says it in words). The stored
    `text` stays plain (it is also the email body); it is escaped for Slack only here."""
    message = {**message, "text": slack_escape(message.get("text", ""))}
    request = urllib.request.Request(url, data=json.dumps(message).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "telnyx-portal-alerts"})
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT[1]) as response:  # noqa: S310
        response.read(1024)


def _post_webhook(delivery: AlertDelivery, message: dict) -> None:
    post_json(delivery.target, message)


def delivery_error(exc: Exception) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"The webhook answered HTTP {exc.code} ({exc.reason})."
    if isinstance(exc, urllib.error.URLError):
        return f"Could not reach the webhook: {exc.reason}."
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "The webhook did not answer in time."
    if isinstance(exc, smtplib.SMTPException):
        return f"The mail server refused the alert: {exc}."
    if isinstance(exc, OSError):
        return f"Could not reach the mail server: {exc.strerror or exc}."
    return f"Sending failed unexpectedly ({type(exc).__name__})."


def alert_attempt(delivery: AlertDelivery, *, last_try: bool) -> str:
    """Try once to deliver; record the attempt and the delivery's state. Returns the error ("" if delivered)."""
    message = alert_message(delivery)
    try:
        (_send_email if delivery.channel == AlertDelivery.Channel.EMAIL else _post_webhook)(delivery, message)
        error = ""
    except Exception as exc:  # every failure is recorded in words and retried
        error = delivery_error(exc)
    with transaction.atomic():
        AlertAttempt.objects.create(delivery=delivery, ok=not error, error=error)
        delivery.attempts += 1
        delivery.last_error = error
        if not error:
            delivery.status, delivery.delivered_at = AlertDelivery.Status.DELIVERED, timezone.now()
        else:
            delivery.status = AlertDelivery.Status.FAILED if last_try else AlertDelivery.Status.RETRYING
        delivery.save()
    return error
