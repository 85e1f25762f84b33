"""Alert rules: save and delete them (Operator), evaluate them on the worker, open an incident
once per breach (never again within the cooldown), resolve it when the metric recovers, and
acknowledge or resolve it by hand. Every change is audited."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import audit
from core.types import PortalUser
from monitoring import metrics
from monitoring.models import AlertRule, Incident, IncidentNotice
from portal.roles import OPERATE, require_perm
from testing.services.alerts import delivery_error, post_json

RESOURCE_TYPE = "alert_rule"
FIELDS = ["name", "assistant_id", "version_id", "metric", "insight_field", "comparison", "threshold", "window_minutes",
          "min_sample", "cooldown_minutes", "email_to", "webhook_url", "enabled"]


def rule_save(*, user: PortalUser, data: dict, rule: AlertRule | None = None) -> AlertRule:
    require_perm(user, OPERATE)
    before = {f: getattr(rule, f) for f in FIELDS} if rule else None
    rule = rule or AlertRule(created_by=user)
    for field in FIELDS:
        if field in data:
            setattr(rule, field, data[field])
    rule.save()
    audit.record(user=user, action="update" if before else "create", resource_type=RESOURCE_TYPE, resource_id=str(rule.pk),
                 resource_label=rule.name, summary=f"{'Changed' if before else 'Added'} alert rule “{rule.name}”",
                 changes=audit.diff(before, {f: getattr(rule, f) for f in FIELDS}))
    return rule


def rule_delete(*, user: PortalUser, rule: AlertRule) -> None:
    require_perm(user, OPERATE)
    audit.record(user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=str(rule.pk), resource_label=rule.name,
                 summary=f"Deleted alert rule “{rule.name}”")
    rule.delete()


def incident_acknowledge(*, user: PortalUser, incident: Incident) -> Incident:
    require_perm(user, OPERATE)
    if incident.status == Incident.Status.OPEN:
        incident.status, incident.acknowledged_at, incident.acknowledged_by = Incident.Status.ACKNOWLEDGED, timezone.now(), user.username
        incident.save()
        audit.record(user=user, action="acknowledge", resource_type=RESOURCE_TYPE, resource_id=str(incident.rule_id),
                     resource_label=incident.rule.name, summary=f"Acknowledged the incident of “{incident.rule.name}”")
    return incident


def incident_resolve(*, user: PortalUser | None, incident: Incident) -> Incident:
    """Resolve by hand (`user`) or because the metric recovered (None)."""
    if user is not None:
        require_perm(user, OPERATE)
    if incident.is_open:
        incident.status, incident.resolved_at = Incident.Status.RESOLVED, timezone.now()
        incident.resolved_by = user.username if user is not None else ""
        incident.save()
        audit.record(user=user, action="resolve", resource_type=RESOURCE_TYPE, resource_id=str(incident.rule_id),
                     resource_label=incident.rule.name,
                     summary=f"Resolved the incident of “{incident.rule.name}”" + ("" if user else ": the metric recovered"))
    return incident


def _notify(incident: Incident) -> list[IncidentNotice]:
    rule = incident.rule
    targets = [(IncidentNotice.Channel.EMAIL, a) for a in rule.recipients]
    if rule.webhook_url:
        targets.append((IncidentNotice.Channel.WEBHOOK, rule.webhook_url))
    return [IncidentNotice.objects.get_or_create(incident=incident, channel=c, target=t)[0] for c, t in targets]


def notice_message(notice: IncidentNotice) -> dict:
    incident, rule = notice.incident, notice.incident.rule
    link = settings.PORTAL_BASE_URL.rstrip("/") + reverse("monitoring:incident-detail", args=[incident.pk])
    text = (f"Alert “{rule.name}”: {rule.get_metric_display().lower()} is {incident.value:g} over the last "
            f"{rule.window_minutes} min ({rule.get_comparison_display()} {rule.threshold:g}, {incident.sample} conversations). {link}")
    return {"subject": f"[Alert] {rule.name}", "text": text}


def notice_send(notice: IncidentNotice) -> None:
    """Send one notice (email or webhook), recording the attempt; a failure stays visible."""
    message = notice_message(notice)
    notice.attempts += 1
    try:
        if notice.channel == IncidentNotice.Channel.EMAIL:
            send_mail(message["subject"], message["text"], None, [notice.target])
        else:
            post_json(notice.target, {"text": message["text"]})
    except Exception as exc:  # noqa: BLE001 - any transport failure is recorded, never raised
        notice.status, notice.last_error = IncidentNotice.Status.FAILED, delivery_error(exc)
    else:
        notice.status, notice.delivered_at, notice.last_error = IncidentNotice.Status.DELIVERED, timezone.now(), ""
    notice.save()


def rule_evaluate(rule: AlertRule, *, now=None) -> Incident | None:
    """Measure the rule and act on it; returns the incident it opened, if it opened one.

    Under a row lock on the rule, so two workers evaluating together open one incident."""
    now = now or timezone.now()
    with transaction.atomic():
        rule = AlertRule.objects.select_for_update().get(pk=rule.pk)
        reading = metrics.measure(rule, now)
        rule.last_evaluated_at, rule.last_value, rule.last_sample = now, reading.value, reading.sample
        judged = reading.value is not None and reading.sample >= rule.min_sample
        breached = judged and rule.breached(reading.value)
        current = rule.incidents.exclude(status=Incident.Status.RESOLVED).first()
        opened = None
        if breached and current is not None:
            current.last_value = reading.value
            current.save(update_fields=["last_value"])
        elif breached and rule.last_fired_at and now - rule.last_fired_at < timedelta(minutes=rule.cooldown_minutes):
            rule.suppressed_at = now  # breached again inside the cooldown: noted, nobody paged
        elif breached:
            opened = Incident.objects.create(rule=rule, opened_at=now, value=reading.value, sample=reading.sample,
                                             last_value=reading.value)
            rule.last_fired_at = now
            audit.record(user=None, action="fire", resource_type=RESOURCE_TYPE, resource_id=str(rule.pk), resource_label=rule.name,
                         summary=f"Alert “{rule.name}” fired: {reading.value:g} ({reading.sample} conversations)")
        elif judged and current is not None:
            incident_resolve(user=None, incident=current)
        rule.save()
        notices = _notify(opened) if opened else []
    for notice in notices:
        notice_send(notice)
    return opened


def rules_evaluate(*, now=None) -> int:
    """Evaluate every enabled rule; returns how many incidents opened."""
    return sum(1 for rule in AlertRule.objects.filter(enabled=True) if rule_evaluate(rule, now=now))
