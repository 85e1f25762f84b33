"""A beat that restarts does not fire a schedule a second time for the same due time:
django-celery-beat's database scheduler, driven as two beat processes one after the other."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from portal.celery import app
from testing.tasks import run_suite

# transaction=True: the scheduler closes "old" connections, which a test transaction would be.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def only_this_schedule():
    """The project's own sweeps out of the way: only the schedule under test is due."""
    saved = app.conf.beat_schedule
    app.conf.beat_schedule = {}
    yield
    app.conf.beat_schedule = saved


def hourly_schedule(suite: str, last_run_at) -> PeriodicTask:
    every_hour, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.HOURS)
    return PeriodicTask.objects.create(name=f"{suite} suite", task=run_suite.name, interval=every_hour,
                                       args=f'["{suite}"]', last_run_at=last_run_at)


@pytest.fixture
def beat_tick():
    """`beat_tick()` starts a beat (a new scheduler reading the database), lets it tick once
    and counts what it sent. The beat is then dropped without its shutdown sync, as a beat
    killed with SIGKILL would be: only what it saved while running counts."""
    killed = []

    def tick(times: int = 1) -> int:
        with mock.patch.object(run_suite, "apply_async") as send:
            beat = DatabaseScheduler(app=app)
            for _ in range(times):  # one due entry is sent per tick
                beat.tick()
        killed.append(beat)  # kept referenced: its finalizer would sync
        return send.call_count

    yield tick
    for beat in killed:
        beat._dirty.clear()
        beat.close()


def test_a_restarted_beat_does_not_fire_a_schedule_again_for_the_same_due_time(only_this_schedule, beat_tick):
    two_hours_ago = timezone.now() - datetime.timedelta(hours=2)
    schedules = [hourly_schedule("nightly", two_hours_ago), hourly_schedule("smoke", two_hours_ago)]
    assert beat_tick(times=2) == 2
    for task in schedules:
        task.refresh_from_db()
        assert task.total_run_count == 1 and timezone.now() - task.last_run_at < datetime.timedelta(minutes=1)
    # The beat is killed and starts again within the hour: neither schedule is due again
    # (the second firing was saved too, not only the first of the beat's life).
    assert beat_tick(times=2) == 0
    assert sorted(PeriodicTask.objects.filter(task=run_suite.name).values_list("total_run_count", flat=True)) == [1, 1]


def test_a_schedule_due_again_fires_again_after_a_restart(only_this_schedule, beat_tick):
    task = hourly_schedule("nightly", timezone.now() - datetime.timedelta(hours=2))
    assert beat_tick() == 1
    PeriodicTask.objects.filter(pk=task.pk).update(last_run_at=timezone.now() - datetime.timedelta(hours=1, minutes=1))
    assert beat_tick() == 1
