"""The portal's own records: roles' permissions, the audit log, and listing sync state."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone


class Access(models.Model):
    """Holds the portal's three capability permissions; it has no table of its own.

    Groups (Viewer, Operator, Admin) are granted these in a data migration, and views and
    services check them with `user.has_perm("portal.<codename>")`.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("read", "Can read everything in the portal"),
            ("operate", "Can chat, run tests and suites, trigger embeddings and clusters"),
            ("administer", "Can create, edit and delete, promote versions and change canary deploys"),
        ]


class AuditEvent(models.Model):
    """One change someone made through the portal, and what Telnyx answered."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Succeeded"
        FAILURE = "failure", "Failed"

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # Kept apart from the FK so the log still names who acted after the user is deleted.
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    resource_type = models.CharField(max_length=64, db_index=True)
    resource_id = models.CharField(max_length=200, blank=True, db_index=True)
    resource_label = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS, db_index=True)
    telnyx_status = models.PositiveSmallIntegerField(null=True, blank=True)
    telnyx_request_id = models.CharField(max_length=200, blank=True)
    error_message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["resource_type", "resource_id", "-created_at"]),
                   # The dashboard's newest failures and its failure counts: a range of this index, not
                   # every failure ever read and sorted (82 ms on PostgreSQL at 100,000 events, 2,000 failed).
                   models.Index(fields=["outcome", "-created_at"], name="audit_outcome_created")]

    def __str__(self) -> str:
        return f"{self.username or 'system'} {self.action} {self.resource_type} {self.resource_id}"


class UserSession(AbstractBaseSession):
    """Django's session table (`django_session`) seen with the column the portal adds to it: the
    signed-in user's id, set at every save by `portal.session_engines`, indexed, so a user's
    sessions are found without decoding everyone's. The table stays Django's (migration
    `portal.0011` adds the column); a row saved around these engines has no user id."""

    user_id = models.IntegerField(null=True, db_index=True)

    class Meta:
        db_table = "django_session"
        managed = False


class AuditDay(models.Model):
    """How many audit events fell on each local day per action, object type, user and outcome,
    moved with every event stored or deleted (`portal.audit_days`): the audit log's total and
    filter choices and the dashboard's weekly counts read these rows, not every event."""

    day = models.DateField()
    action = models.CharField(max_length=64)
    resource_type = models.CharField(max_length=64)
    username = models.CharField(max_length=150, blank=True)
    outcome = models.CharField(max_length=16)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "action", "resource_type", "username", "outcome"],
                                               name="one_audit_day_per_key")]


class SyncState(models.Model):
    """When a cached listing was last synced from Telnyx, and who holds its sync lease.

    The lease is taken with one conditional UPDATE, so with several app servers on one
    database only one sync of a resource runs at a time; the others keep showing the cache.
    """

    resource = models.CharField(max_length=100, unique=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    item_count = models.PositiveIntegerField(default=0)
    # A sync too large for one request runs in steps; these track the run in progress.
    run_id = models.CharField(max_length=64, blank=True)
    run_started_at = models.DateTimeField(null=True, blank=True)
    run_cursor = models.CharField(max_length=200, blank=True)
    run_progress = models.PositiveIntegerField(default=0)
    # Records the last sync left out because the portal cannot use them (`core.skips`), and
    # the running tally of the stepwise run in progress.
    skipped_count = models.PositiveIntegerField(default=0)
    skipped_note = models.CharField(max_length=500, blank=True)
    run_skipped = models.PositiveIntegerField(default=0)
    run_skipped_note = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.resource


class CacheGeneration(models.Model):
    """A counter per cache table, bumped in the transaction of every write to it (`core.cache`).

    Rendered list fragments, counts and filter choices are kept under keys holding these
    numbers, so a sync, a save or a delete shows at once on every app server."""

    table = models.CharField(max_length=100, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.table}@{self.value}"


class TaskRecord(models.Model):
    """One background task as the tasks page shows it: queued, running, done or failed.

    Written by Celery signals in the process that sends or runs the task (core.background),
    so the page needs no result backend and survives a broker restart.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        RETRYING = "retrying", "Waiting to retry"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    ACTIVE = (State.QUEUED, State.RUNNING, State.RETRYING)
    # How a failure whose worker died (SIGKILL, crash, host lost) begins: the page calls it "Lost".
    WORKER_LOST = "The worker running this task stopped (killed or crashed)"

    task_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    label = models.CharField(max_length=300, blank=True)
    # Task name and arguments: what "the same task" means when deciding not to queue it twice.
    key = models.CharField(max_length=400, db_index=True)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A periodic run (the beat's sweeps) that found nothing to do: hidden from the tasks page
    # unless asked for, and pruned within the hour.
    idle = models.BooleanField(default=False, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.label or self.name

    @property
    def lost(self) -> bool:
        return self.state == self.State.FAILED and self.last_error.startswith(self.WORKER_LOST)

    def mark_retried(self) -> None:
        """A failure queued again: the new task stands for it now, so it leaves the Failed tab."""
        type(self).objects.filter(pk=self.pk).update(state=self.State.SUCCEEDED, last_error=f"Retried: {self.last_error}")


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker said it is alive (core.heartbeat): pages that wait on a
    worker say so when none has answered for a minute."""

    hostname = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.hostname} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class UserPreference(models.Model):
    """What one person chose for how pages read: their time zone (dates are shown in it) and the
    columns they hid per list ({list URL name: [column keys]}, core.changelist.columns)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference")
    time_zone = models.CharField(max_length=64, default="UTC")
    hidden_columns = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.user} · {self.time_zone}"
