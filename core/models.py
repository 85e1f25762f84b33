"""The fields every cached copy of a Telnyx object has (abstract: no table of its own)."""

from django.db import connection, models
from django.utils import timezone

from core.progress import JobProgress, job_progress


class TelnyxCached(models.Model):
    """A row holding Telnyx's object: its id, the whole object as Telnyx answered, and when."""

    telnyx_id = models.CharField(max_length=200, unique=True)
    payload = models.JSONField(default=dict)
    synced_at = models.DateTimeField()

    class Meta:
        abstract = True

    @classmethod
    def values_in_use(cls, field: str) -> list[str]:
        """The distinct non-empty values of `field` in the cache, sorted: a list filter's choices.

        An indexed field is read by a skip scan (each next value the index's MIN past the last: a
        few index seeks per value) where DISTINCT reads every entry (100,000 tools: 7–20 ms)."""
        column = cls._meta.get_field(field)
        if not column.db_index or column.null:  # NULLs: kept as DISTINCT keeps them
            return list(cls.objects.exclude(**{field: ""}).order_by(field).values_list(field, flat=True).distinct())
        table, name = connection.ops.quote_name(cls._meta.db_table), connection.ops.quote_name(column.column)
        with connection.cursor() as cursor:
            cursor.execute(f"""WITH RECURSIVE seen(v) AS (SELECT MIN({name}) FROM {table} WHERE {name} > %s
                               UNION ALL SELECT (SELECT MIN({name}) FROM {table} WHERE {name} > seen.v)
                               FROM seen WHERE seen.v IS NOT NULL) SELECT v FROM seen WHERE v IS NOT NULL""", [""])
            return [row[0] for row in cursor.fetchall()]

    @classmethod
    def cached_label(cls, telnyx_id: str, field: str = "name") -> str:
        """The cached row's `field` (its name), or the id when the row is not cached."""
        return cls.objects.filter(telnyx_id=telnyx_id).values_list(field, flat=True).first() or telnyx_id


class NamedCached(TelnyxCached):
    """A cached Telnyx object listed by its name: the name, when Telnyx created it, name order."""

    name = models.CharField(max_length=300, db_index=True)
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IdNamedCached(TelnyxCached):
    """A cached Telnyx object whose id is its name (a model id, a bucket name): listed by it."""

    class Meta:
        abstract = True
        ordering = ["telnyx_id"]

    def __str__(self) -> str:
        return self.telnyx_id


class CachedTask(TelnyxCached):
    """Shared by cached asynchronous work (embedding, cluster, fine-tuning tasks): a status
    that is final once it is one of `FINAL`, when pages stop polling, newest first, and its
    progress bar read from the statuses each kind names (`RUNNING`, `OUTCOMES`, `FAILED`)."""

    FINAL: tuple[str, ...] = ()
    RUNNING: tuple[tuple[str, str], ...] = ()  # (status, label) in the order the work goes
    OUTCOMES: dict[str, str] = {}  # final status -> label
    FAILED: tuple[str, ...] = ()  # the final statuses shown as failures

    created_at = models.DateTimeField(null=True, blank=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_final(self) -> bool:
        return getattr(self, "status", "") in self.FINAL

    @property
    def progress(self) -> JobProgress:
        return job_progress(self.status, running=list(self.RUNNING), outcomes=self.OUTCOMES, failed=self.FAILED,
                            started=self.created_at, finished=self.finished_at)


class AlertDeliveryBase(models.Model):
    """One alert on one channel (email or a Slack-compatible webhook) with its delivery state:
    suite alerts and release alerts are delivered, retried and shown the same way."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "Sending"
        RETRYING = "retrying", "Retrying"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    channel = models.CharField(max_length=10, choices=Channel.choices)
    target = models.CharField(max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]
