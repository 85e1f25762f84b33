"""`AuditDay`: the audit events counted per local day, action, object type, user and outcome.

Every stored event adds one to its row in the same transaction (a signal on save, one upsert
query), every deleted one takes one off; so the audit log's total, its filter choices and the
dashboard's "this week" counts read days × kinds rows, not 100,000 events. Days are local days
(`TIME_ZONE`), as the log's since/until filters are. Events written around `save()` (a
`bulk_create`, a fixture) are counted by `rebuild()` (`manage.py rebuild_rollups`).
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from portal.models import AuditDay, AuditEvent

KEY = ("day", "action", "resource_type", "username", "outcome")


def _move(event: AuditEvent, by: int) -> None:
    table = AuditDay._meta.db_table
    columns = ", ".join(KEY)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}, n) VALUES (%s, %s, %s, %s, %s, %s) "
            f"ON CONFLICT ({columns}) DO UPDATE SET n = {table}.n + excluded.n",
            [timezone.localdate(event.created_at), event.action, event.resource_type, event.username or "",
             event.outcome, by])


def _saved(sender, instance: AuditEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        _move(instance, +1)


def _deleted(sender, instance: AuditEvent, **kwargs) -> None:
    _move(instance, -1)


def connect() -> None:
    post_save.connect(_saved, sender=AuditEvent, dispatch_uid="audit-days-saved")
    post_delete.connect(_deleted, sender=AuditEvent, dispatch_uid="audit-days-deleted")


@transaction.atomic
def rebuild() -> int:
    """Count every stored event again (after loading events around `save()`); returns the rows."""
    AuditDay.objects.all().delete()
    rows = (AuditEvent.objects.order_by().annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
            .values(*KEY).annotate(count=Count("pk")))
    return len(AuditDay.objects.bulk_create(
        (AuditDay(**{k: row[k] for k in KEY}, n=row["count"]) for row in rows.iterator()), batch_size=1000))
