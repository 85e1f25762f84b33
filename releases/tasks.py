"""Celery tasks: advance every plan that is due. Beat runs `advance_due_plans` every 15 s
(CELERY_BEAT_SCHEDULE); each advance is idempotent (see `releases.services.engine`), so a
redelivered task is harmless."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from releases.models import ReleaseAlert, RolloutPlan
from releases.services.alerts import release_alert_attempt
from releases.services.engine import rollout_advance


@shared_task(name="releases.advance_due_plans", acks_late=True, label="Advance rollout plans that are due")
def advance_due_plans() -> int:
    """Advance running plans and finish aborts still restoring. Returns how many were looked at."""
    plans = list(RolloutPlan.objects.filter(status__in=[RolloutPlan.Status.RUNNING, RolloutPlan.Status.ABORTING]))
    for plan in plans:
        rollout_advance(plan)
    return len(plans)


@shared_task(name="releases.advance_plan", acks_late=True, label="Advance rollout plan {0}")
def advance_plan(plan_id: int) -> str:
    """Advance one plan now (after an Admin's action); returns its status."""
    plan = RolloutPlan.objects.filter(pk=plan_id).first()
    return rollout_advance(plan).status if plan else "missing"


# An undelivered release alert is tried this many times in all, ALERT_RETRY_SECONDS × 2^n apart
# (the same policy as suite alerts).
ALERT_ATTEMPTS = 5


@shared_task(bind=True, label="Send release alert {0}", max_retries=ALERT_ATTEMPTS)
def deliver_release_alert(self, alert_id: int):
    """Send one release alert; a failed attempt is recorded and retried with backoff."""
    alert = ReleaseAlert.objects.filter(pk=alert_id).first()
    if alert is None or alert.status in (ReleaseAlert.Status.DELIVERED, ReleaseAlert.Status.FAILED):
        return None  # a redelivered message for an alert already settled
    last_try = alert.attempts + 1 >= ALERT_ATTEMPTS
    error = release_alert_attempt(alert, last_try=last_try)
    if error and not last_try:
        raise self.retry(countdown=settings.ALERT_RETRY_SECONDS * 2 ** (alert.attempts - 1))
    return alert.status
