"""Cached copies of Telnyx assistant tests, suites and runs, plus the portal's suite-run batches.

Telnyx has no suite-run object: triggering a suite returns one test run per test. A
`SuiteRun` keeps that batch (its run ids, who started it, against which version) so the
live page and the suite history can show it again later.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import AlertDeliveryBase, NamedCached, TelnyxCached

CHANNELS = [
    ("phone_call", "Phone call"),
    ("web_call", "Web call"),
    ("sms_chat", "SMS chat"),
    ("web_chat", "Web chat"),
]
FINAL_STATUSES = ("passed", "failed", "error")
RUN_STATUSES = ("pending", "starting", "running", *FINAL_STATUSES)


class AssistantTest(NamedCached):
    """One Telnyx assistant test (`test_id`), for the tests changelist."""

    description = models.TextField(blank=True)
    destination = models.CharField(max_length=300, blank=True, db_index=True)
    channel = models.CharField(max_length=20, blank=True, db_index=True)
    test_suite = models.CharField(max_length=300, blank=True, db_index=True)
    instructions = models.TextField(blank=True)
    max_duration_seconds = models.PositiveIntegerField(null=True, blank=True)


class TestSuite(models.Model):
    """A suite name as `GET /ai/assistants/tests/test-suites` lists it (suites have no other fields)."""

    __test__ = False  # not a pytest class

    telnyx_id = models.CharField(max_length=300, unique=True)
    name = models.CharField(max_length=300)
    payload = models.JSONField(default=dict, blank=True)
    synced_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TestRun(TelnyxCached):
    """One run of one test (`run_id`), as Telnyx last reported it."""

    __test__ = False

    test_id = models.CharField(max_length=200, db_index=True)
    status = models.CharField(max_length=20, db_index=True)
    suite_run_id = models.CharField(max_length=200, blank=True, db_index=True)
    triggered_by = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # A page of tests' records (results.records_for: their newest finished runs): SQLite, without
        # statistics, otherwise reads every finished run through the status index (25-47 ms at
        # 10,000 runs, 1 ms at 500); with both columns in one index it reads only the page's tests.
        indexes = [models.Index(fields=["test_id", "status", "-created_at"], name="testrun_test_status_created")]

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def duration_seconds(self) -> float | None:
        if self.created_at and self.completed_at:
            return (self.completed_at - self.created_at).total_seconds()
        return None

    @property
    def score(self) -> tuple[int, int] | None:
        """(criteria passed, criteria judged) once the run is final."""
        results = self.payload.get("detail_status") or []
        if not self.is_final or not results:
            return None
        return sum(1 for r in results if r.get("status") == "passed"), len(results)


class SuiteRun(models.Model):
    """One trigger of a suite: the batch of test runs it started, kept for the live page and history."""

    batch_id = models.CharField(max_length=200, unique=True)
    suite = models.CharField(max_length=300, db_index=True)
    # The one version this batch tested; "" for the main version (or several, then see `versions`).
    version_id = models.CharField(max_length=200, blank=True, db_index=True)
    # {assistant id: version id} for every destination run on a version other than main.
    versions = models.JSONField(default=dict, blank=True)
    run_ids = models.JSONField(default=list)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150, blank=True)
    # The key sent with the trigger: a retried trigger finds this batch instead of making a twin.
    idempotency_key = models.CharField(max_length=100, blank=True, db_index=True)
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Trials: each test ran this many times in the batch (each trial its own Idempotency-Key);
    # which trial a run was is `RunTrigger.trial`. Outside batches have 1.
    trials = models.PositiveSmallIntegerField(default=1)
    # Set when a schedule started this batch (null for Run suite clicks and outside runs).
    schedule = models.ForeignKey("SuiteSchedule", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    # Summary, recomputed from the cached runs whenever they are refreshed.
    status = models.CharField(max_length=20, default="running", db_index=True)
    total = models.PositiveIntegerField(default=0)
    passed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errored = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]

    @property
    def finished(self) -> int:
        return self.passed + self.failed + self.errored

    @property
    def is_final(self) -> bool:
        return self.finished >= self.total

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.finished if self.finished else None

    @property
    def progress_percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 0


class RunTrigger(models.Model):
    """Who started a test run from the portal: Telnyx reports only "api" for those.

    Kept apart from `TestRun`, whose rows a sync replaces wholesale with Telnyx's answer.
    """

    run_id = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150, blank=True)
    started_at = models.DateTimeField()
    # The batch the run belongs to, when it was started by Run suite.
    suite_run = models.ForeignKey(SuiteRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="triggers")
    # Which trial of its test in that batch the run is (1..SuiteRun.trials).
    trial = models.PositiveSmallIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.run_id} by {self.username}"


class SuiteSchedule(models.Model):
    """When a suite runs on its own: a cron expression (UTC) or every N minutes, optionally on one
    version. This row is what the suite page shows; beat fires it through the django-celery-beat
    `PeriodicTask` kept in step with it (testing.services.schedules)."""

    class Kind(models.TextChoices):
        CRON = "cron", "Cron expression"
        INTERVAL = "interval", "Every N minutes"

    suite = models.CharField(max_length=300, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CRON)
    cron = models.CharField(max_length=100, blank=True)
    every_minutes = models.PositiveIntegerField(null=True, blank=True)
    # {assistant id: version id} for the destinations not run on main, as Run suite takes them.
    versions = models.JSONField(default=dict, blank=True)
    # The add form's key: a resubmitted form finds this schedule instead of adding a twin.
    idempotency_key = models.CharField(max_length=100, blank=True, db_index=True)
    enabled = models.BooleanField(default=True)
    periodic_task = models.OneToOneField("django_celery_beat.PeriodicTask", null=True, blank=True, on_delete=models.SET_NULL)
    # Scheduled runs start as this Operator (the audit and "Started by" name them).
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # Interval firings are counted in slots of `every_minutes` from here (reset on edit).
    anchor_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.suite}: {self.when}"

    @property
    def when(self) -> str:
        return f"cron {self.cron} (UTC)" if self.kind == self.Kind.CRON else f"every {self.every_minutes} min"


class ScheduleFiring(models.Model):
    """One firing of a schedule: unique per (schedule, scheduled time), so a beat that restarts
    and sends the same slot again, or a redelivered message, never starts a second run."""

    schedule = models.ForeignKey(SuiteSchedule, on_delete=models.CASCADE, related_name="firings")
    scheduled_for = models.DateTimeField()
    task_id = models.CharField(max_length=64, unique=True)
    suite_run = models.ForeignKey(SuiteRun, null=True, blank=True, on_delete=models.SET_NULL)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-scheduled_for", "-pk"]
        constraints = [models.UniqueConstraint(fields=["schedule", "scheduled_for"], name="one_firing_per_slot")]

    @property
    def idempotency_key(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"suite-schedule:{self.schedule_id}:{self.scheduled_for.isoformat()}"))


class SuiteAlert(models.Model):
    """A suite's alert rule: a pass-rate threshold and/or "on error", sent by email and/or to
    one of the webhooks an admin configured (settings.ALERT_WEBHOOK_URLS)."""

    suite = models.CharField(max_length=300, unique=True)
    threshold_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    on_error = models.BooleanField(default=False)
    email_to = models.TextField(blank=True)  # comma-separated addresses
    webhook_url = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def recipients(self) -> list[str]:
        return [a.strip() for a in self.email_to.split(",") if a.strip()]


class AlertDelivery(AlertDeliveryBase):
    """One alert for one finished suite run on one channel, with its delivery state."""

    suite_run = models.ForeignKey(SuiteRun, on_delete=models.CASCADE, related_name="alerts")
    reason = models.CharField(max_length=300)

    class Meta(AlertDeliveryBase.Meta):
        constraints = [models.UniqueConstraint(fields=["suite_run", "channel", "target"], name="one_alert_per_channel")]


class AlertAttempt(models.Model):
    """Every try at delivering an alert, kept so the suite page can show what happened."""

    delivery = models.ForeignKey(AlertDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField()
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]


class TestOrigin(models.Model):
    """The real conversation a test was made from ("Make a test"), so the test links back to it.

    Telnyx's test has no such field; the portal keeps the link."""

    __test__ = False

    test_id = models.CharField(max_length=200, unique=True)
    conversation_id = models.CharField(max_length=200, db_index=True)
    conversation_name = models.CharField(max_length=300, blank=True)
    username = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
