"""Testing's background work: test and suite listings sync on the worker, and every test run
and suite run is followed until it is final — summary, pass rate and `SuiteRun` recorded
with no page open. `run_suite` starts a suite run from a task (for schedules)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.background import StillRunning, eager, idempotency_key, is_active, register_listing, register_listing_family, task_key
from testing.models import FINAL_STATUSES, AlertDelivery, SuiteRun, TestRun
from testing.services import alerts, assistant_tests, runs, schedules, suites

register_listing(assistant_tests.RESOURCE, assistant_tests.tests_sync)
register_listing(suites.RESOURCE, suites.suites_page_sync)
register_listing_family(runs.RUNS_FAMILY, lambda test_id: runs.test_runs_sync(test_id=test_id))
register_listing_family(suites.SUITE_HISTORY_FAMILY, lambda name: suites.suite_history_sync(suite_name=name))

# Seconds between checks of a run that is not final yet, and how long to keep checking.
CHECK_EVERY = 3
FOLLOW_FOR = timedelta(days=1)
MAX_CHECKS = int(FOLLOW_FOR.total_seconds() // CHECK_EVERY)


def _check_later(task, error=None):
    """Check again in CHECK_EVERY seconds (where tasks run inline, the page's polling does)."""
    if eager():
        return None
    raise task.retry(exc=error or StillRunning(), countdown=CHECK_EVERY, max_retries=MAX_CHECKS)


@shared_task(bind=True, label="Follow suite run {0} until it is final")
def track_suite_run(self, suite_run_id: int):
    suite_run = SuiteRun.objects.filter(pk=suite_run_id).first()
    if suite_run is None or suite_run.is_final:
        return None
    error = suites.suite_run_refresh(suite_run)
    suite_run.refresh_from_db()
    if suite_run.is_final:
        suites.summarize(suite_run)
        return suite_run.status
    return _check_later(self, error)


@shared_task(bind=True, label="Follow the runs of test {0} until they are final")
def track_test_runs(self, test_id: str):
    outcome = runs.test_runs_sync(test_id=test_id)
    if not TestRun.objects.filter(test_id=test_id).exclude(status__in=FINAL_STATUSES).exists():
        return None
    return _check_later(self, outcome.error)


def follow(task, *args) -> None:
    """Queue `task(*args)` unless the same one is already queued or running."""
    if not is_active(task_key(task.name, list(args), {})):
        task.delay(*args)


def follow_started(*, suite_run: SuiteRun | None = None, test_id: str = "") -> None:
    """Follow a run the portal has just started, at once rather than at the next sweep.
    Where tasks run inline (unit tests) nothing is queued: tracking would run inside the
    request, and the run's page polls it there instead."""
    if eager():
        return
    if suite_run is not None:
        follow(track_suite_run, suite_run.pk)
    if test_id:
        follow(track_test_runs, test_id)


@shared_task(recorded=False)
def track_unfinished_runs() -> int:
    """The beat's sweep: follow every recent suite run and lone test run that is not final."""
    since = timezone.now() - FOLLOW_FOR
    count = 0
    for suite_run in SuiteRun.objects.filter(started_at__gte=since).exclude(status__in=FINAL_STATUSES):
        if not suite_run.is_final:
            follow(track_suite_run, suite_run.pk)
            count += 1
    lone = (TestRun.objects.filter(suite_run_id="", synced_at__gte=since).exclude(status__in=FINAL_STATUSES)
            .values_list("test_id", flat=True).distinct())
    for test_id in lone:
        follow(track_test_runs, test_id)
        count += 1
    return count


@shared_task(bind=True, label="Run suite {0}")
def run_suite(self, suite_name: str, version_id: str = "", user_id: int | None = None):
    """Start a suite run as `user_id`. The Idempotency-Key comes from the task id, so a
    redelivered message gets Telnyx's first batch back and lands on the same `SuiteRun`."""
    user = get_user_model().objects.get(pk=user_id)
    suite_run = suites.suite_run_trigger(user=user, suite_name=suite_name, version_id=version_id,
                                         idempotency_key=idempotency_key(self))
    follow(track_suite_run, suite_run.pk)
    return suite_run.pk


@shared_task(bind=True, label="Scheduled suite run")
def fire_schedule(self, schedule_id: int):
    """What beat sends for a `SuiteSchedule`: start its run once per scheduled time, then follow it."""
    suite_run = schedules.schedule_fire(schedule_id=schedule_id, task_id=self.request.id)
    if suite_run is not None and not suite_run.is_final:
        follow_started(suite_run=suite_run)
    return getattr(suite_run, "pk", None)


# An undelivered alert is tried this many times in all, ALERT_RETRY_SECONDS × 2^n apart.
ALERT_ATTEMPTS = 5


@shared_task(bind=True, label="Send alert {0}", max_retries=ALERT_ATTEMPTS)
def deliver_alert(self, delivery_id: int):
    """Send one alert; a failed attempt is recorded and retried with backoff until ALERT_ATTEMPTS."""
    delivery = AlertDelivery.objects.select_related("suite_run").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (AlertDelivery.Status.DELIVERED, AlertDelivery.Status.FAILED):
        return None  # a redelivered message for an alert already settled
    last_try = delivery.attempts + 1 >= ALERT_ATTEMPTS
    error = alerts.alert_attempt(delivery, last_try=last_try)
    if error and not last_try:
        raise self.retry(countdown=settings.ALERT_RETRY_SECONDS * 2 ** delivery.attempts)
    return delivery.status
