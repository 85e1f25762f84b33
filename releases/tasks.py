"""Celery tasks: advance every plan that is due. Beat runs `advance_due_plans` every 15 s
(CELERY_BEAT_SCHEDULE); each advance is idempotent (see `releases.services.engine`), so a
redelivered task is harmless."""

from __future__ import annotations

from celery import shared_task

from releases.models import RolloutPlan
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
