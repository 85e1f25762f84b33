"""Is a worker alive? Each Celery worker writes a heartbeat every few seconds from a thread it
starts when ready; a page that waits on background work (core.waiting: it queued a task, its list
awaits a sync, a suite run is in progress) asks `worker_silence()` and, when no worker has answered
for a minute while work waits, says so once with the command that starts one. Other pages never ask.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from celery import signals
from django.core.cache import cache
from django.db import close_old_connections
from django.db.models import Count, Subquery
from django.utils import timezone

from core import background, waiting
from portal.models import TaskRecord, WorkerHeartbeat

logger = logging.getLogger(__name__)

EVERY_SECONDS = 15
SILENT_AFTER = timedelta(seconds=60)
# The banner's answer is kept this long per process: every page asks, none needs it exact.
CHECK_CACHE_SECONDS = 5
START_COMMAND = "bin/serve"
WORKER_COMMAND = ".venv/bin/celery -A portal worker"


def beat(hostname: str) -> None:
    """Record that the worker `hostname` is alive now."""
    WorkerHeartbeat.objects.update_or_create(hostname=hostname[:200], defaults={"seen_at": timezone.now()})


def last_seen():
    return WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()


def _queued_and_last_seen() -> tuple[int, object]:
    """How many tasks are queued and, if any, when a worker last answered: one query (grouped on
    the queued state, so no task queued is no row, and then the beat does not matter)."""
    newest = WorkerHeartbeat.objects.order_by("-seen_at").values("seen_at")[:1]
    rows = (TaskRecord.objects.filter(state=TaskRecord.State.QUEUED).order_by().values("state")
            .annotate(n=Count("pk"), seen=Subquery(newest)).values_list("n", "seen"))
    return next(iter(rows), (0, None))


@dataclass(frozen=True)
class WorkerSilence:
    """No worker answered for SILENT_AFTER while `waiting` tasks are queued."""

    last_seen: object
    waiting: int
    start_command: str = START_COMMAND
    worker_command: str = WORKER_COMMAND


def worker_silence() -> WorkerSilence | None:
    """What the banner says, or None when the page waits on no worker, a worker answered lately,
    nothing waits, or tasks run inline (unit tests)."""
    if not waiting.marked() or background.eager():
        return None
    found = cache.get("worker-silence")
    if found is not None:
        return found or None
    queued, seen = _queued_and_last_seen()
    silence: WorkerSilence | bool = False
    if queued and (seen is None or timezone.now() - seen > SILENT_AFTER):
        silence = WorkerSilence(last_seen=seen, waiting=queued)
    cache.set("worker-silence", silence, CHECK_CACHE_SECONDS)
    return silence or None


def _beat_forever(hostname: str, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            beat(hostname)
        except Exception:  # a database blip must not end the heartbeat for good
            logger.warning("worker heartbeat could not be written", exc_info=True)
        finally:
            close_old_connections()
        stop.wait(EVERY_SECONDS)


_stop = threading.Event()


@signals.worker_ready.connect
def _start(sender=None, **kwargs) -> None:
    hostname = getattr(sender, "hostname", "") or "worker"
    threading.Thread(target=_beat_forever, args=(hostname, _stop), name="portal-heartbeat", daemon=True).start()


@signals.worker_shutdown.connect
def _stop_beating(sender=None, **kwargs) -> None:
    _stop.set()
