"""Scheduled suite runs: create, edit, pause and delete a schedule (Operator), keep its
django-celery-beat `PeriodicTask` in step, and fire it exactly once per scheduled time.

Beat sends `testing.tasks.fire_schedule(schedule_id)`; the firing is keyed by the schedule
and the slot it belongs to (the latest cron match, or the interval slot, at or before now),
so a beat restarted right after sending, or a message delivered twice, starts one run only.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from celery.schedules import crontab
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from core import audit
from portal.roles import OPERATE, require_perm
from portal.telnyx import TelnyxError
from testing import selectors
from testing.models import ScheduleFiring, SuiteRun, SuiteSchedule
from testing.services.suites import RESOURCE_TYPE, suite_run_trigger

FIRE_TASK = "testing.tasks.fire_schedule"
CRON_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
OWNER_CANNOT_RUN = "Not run: the Operator who owns this schedule can no longer run suites. Edit the schedule to take it over."
# The shortest time between two runs of one schedule, cron or interval.
MIN_MINUTES_APART = 5
# How far back the latest cron match is looked for (covers "29 February" schedules).
CRON_LOOKBACK_DAYS = 366 * 4 + 1


def parse_cron(expression: str) -> crontab:
    """A 5-field cron expression as Celery reads it; ValueError with a readable reason if not."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError("A cron expression has 5 fields: minute hour day-of-month month day-of-week (e.g. 0 3 * * 1-5).")
    try:
        return crontab(**dict(zip(CRON_FIELDS, fields)))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"Not a valid cron expression: {exc}") from None


def _cron_weekday(day: datetime) -> int:
    return (day.weekday() + 1) % 7  # cron counts Sunday as 0


def _day_matches(cron: crontab, day: datetime) -> bool:
    return day.month in cron.month_of_year and day.day in cron.day_of_month and _cron_weekday(day) in cron.day_of_week


def cron_closest_firings(cron: crontab) -> tuple[int, str, str] | None:
    """The shortest time in minutes between two consecutive firings, with an example pair
    ("HH:MM" each); None if it fires at most once ever in the look-back period.

    Every matching day fires at the same times, so the gaps are those between a day's own
    times, plus a day's last to the next matching day's first
    (the closest two over CRON_LOOKBACK_DAYS, which covers every weekday and leap-day combination).
    """
    start = datetime(2024, 1, 1, tzinfo=dt_timezone.utc)  # a leap year first: 29 February is in range
    days = [n for n in range(CRON_LOOKBACK_DAYS + 1) if _day_matches(cron, start + timedelta(days=n))]
    if not days:
        return None
    times = sorted(h * 60 + m for h in cron.hour for m in cron.minute)
    gaps = [(b - a, a, b) for a, b in zip(times, times[1:])]
    if len(days) > 1:  # a day's last firing to the next matching day's first
        apart = min(b - a for a, b in zip(days, days[1:]))
        gaps.append((apart * 24 * 60 - times[-1] + times[0], times[-1], times[0]))
    if not gaps:
        return None
    gap, a, b = min(gaps)
    return gap, f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}"


def check_cron_spacing(cron: crontab) -> None:
    """ValueError when two consecutive firings can be closer than MIN_MINUTES_APART."""
    closest = cron_closest_firings(cron)
    if closest and closest[0] < MIN_MINUTES_APART:
        gap, a, b = closest
        raise ValueError(f"Scheduled runs must be at least {MIN_MINUTES_APART} minutes apart: this expression fires at "
                         f"{a} and {b} UTC, {gap} minute{'s' if gap != 1 else ''} apart.")


def latest_cron_match(cron: crontab, now: datetime) -> datetime | None:
    """The latest minute at or before `now` (UTC) that the expression matches."""
    now = now.astimezone(dt_timezone.utc).replace(second=0, microsecond=0)
    for back in range(CRON_LOOKBACK_DAYS):
        day = now - timedelta(days=back)
        if not _day_matches(cron, day):
            continue
        for hour in sorted(cron.hour, reverse=True):
            if back == 0 and hour > now.hour:
                continue
            minutes = [m for m in cron.minute if back or hour < now.hour or m <= now.minute]
            if minutes:
                return day.replace(hour=hour, minute=max(minutes))
    return None


def slot_for(schedule: SuiteSchedule, now: datetime) -> datetime:
    """The scheduled time a firing at `now` belongs to."""
    if schedule.kind == SuiteSchedule.Kind.CRON:
        return latest_cron_match(parse_cron(schedule.cron), now) or now.replace(second=0, microsecond=0)
    every = timedelta(minutes=schedule.every_minutes)
    return schedule.anchor_at + every * ((now - schedule.anchor_at) // every)


def next_run_at(schedule: SuiteSchedule) -> datetime | None:
    """When beat fires the schedule next (None while paused)."""
    if not schedule.enabled:
        return None
    now = timezone.now()
    if schedule.kind == SuiteSchedule.Kind.CRON:
        # Celery's estimate lands a moment before the minute it means.
        due = now + parse_cron(schedule.cron).remaining_estimate(now) + timedelta(seconds=59)
        return due.replace(second=0, microsecond=0)
    last = schedule.periodic_task.last_run_at if schedule.periodic_task else None
    return max(now, (last or schedule.anchor_at) + timedelta(minutes=schedule.every_minutes))


def _beat_schedule(schedule: SuiteSchedule) -> dict:
    if schedule.kind == SuiteSchedule.Kind.CRON:
        fields = dict(zip(CRON_FIELDS, schedule.cron.split()))
        cron, _ = CrontabSchedule.objects.get_or_create(**fields, timezone="UTC")
        return {"crontab": cron, "interval": None}
    interval, _ = IntervalSchedule.objects.get_or_create(every=schedule.every_minutes, period=IntervalSchedule.MINUTES)
    return {"interval": interval, "crontab": None}


def _sync_periodic_task(schedule: SuiteSchedule) -> None:
    """Write the beat entry for `schedule` (save(), so beat notices the change)."""
    task = schedule.periodic_task or PeriodicTask(name=f"suite-schedule-{schedule.pk}", task=FIRE_TASK)
    for field, value in _beat_schedule(schedule).items():
        setattr(task, field, value)
    task.kwargs = json.dumps({"schedule_id": schedule.pk})
    task.enabled = schedule.enabled
    task.description = f"Scheduled run of suite “{schedule.suite}”"
    if schedule.kind == SuiteSchedule.Kind.INTERVAL:
        task.last_run_at = None  # count the interval from the edit, not from the last firing
    task.save()
    if schedule.periodic_task_id != task.pk:
        schedule.periodic_task = task
        schedule.save(update_fields=["periodic_task"])


def _fields(schedule: SuiteSchedule) -> dict:
    return {"when": schedule.when, "versions": schedule.versions, "enabled": schedule.enabled}


def versions_label(schedule: SuiteSchedule) -> str:
    names = selectors.version_names(schedule.versions.values())
    return ", ".join(names.get(v, v) for v in schedule.versions.values()) or "the main version"


def _audit(*, user, schedule: SuiteSchedule, action: str, summary: str, before: dict | None, after: dict | None) -> None:
    audit.record(user=user, action=action, resource_type=RESOURCE_TYPE, resource_id=schedule.suite,
                 resource_label=schedule.suite, summary=summary, changes=audit.diff(before, after))


def _apply(schedule: SuiteSchedule, data: dict) -> None:
    schedule.kind = data["kind"]
    schedule.cron = data.get("cron", "") if schedule.kind == SuiteSchedule.Kind.CRON else ""
    schedule.every_minutes = data.get("every_minutes") if schedule.kind == SuiteSchedule.Kind.INTERVAL else None
    schedule.versions = {a: v for a, v in (data.get("versions") or {}).items() if v}
    schedule.anchor_at = timezone.now()


def schedule_create(*, user, suite_name: str, data: dict) -> SuiteSchedule:
    """Schedule `suite_name` (cleaned `ScheduleForm` data plus `versions`); its runs start as `user`.

    A resubmitted form (same Idempotency-Key) gets the schedule it already added.
    """
    require_perm(user, OPERATE)
    key = data.get("idempotency_key") or ""
    existing = SuiteSchedule.objects.filter(suite=suite_name, idempotency_key=key).first() if key else None
    if existing:
        return existing
    schedule = SuiteSchedule(suite=suite_name, owner=user, idempotency_key=key)
    return _save(user, schedule, data, action="create", before=None,
                 summary=lambda s: f"Scheduled suite “{suite_name}”: {s.when} on {versions_label(s)}")


def schedule_update(*, user, schedule: SuiteSchedule, data: dict) -> SuiteSchedule:
    require_perm(user, OPERATE)
    before = _fields(schedule)
    schedule.owner = user
    return _save(user, schedule, data, action="update", before=before,
                 summary=lambda s: f"Changed a schedule of suite “{s.suite}”: {s.when}")


def _save(user, schedule: SuiteSchedule, data: dict, *, action: str, before: dict | None, summary) -> SuiteSchedule:
    """Apply the form's data, save, mirror it into beat's table and audit it, in one transaction."""
    with transaction.atomic():
        _apply(schedule, data)
        schedule.save()
        _sync_periodic_task(schedule)
        _audit(user=user, schedule=schedule, action=action, before=before, after=_fields(schedule), summary=summary(schedule))
    return schedule


def schedule_set_enabled(*, user, schedule: SuiteSchedule, enabled: bool) -> SuiteSchedule:
    """Pause or resume; a resumed interval counts from now."""
    require_perm(user, OPERATE)
    before = _fields(schedule)
    with transaction.atomic():
        schedule.enabled = enabled
        schedule.anchor_at = timezone.now()
        schedule.save()
        _sync_periodic_task(schedule)
        _audit(user=user, schedule=schedule, action="resume" if enabled else "pause", before=before,
               after=_fields(schedule), summary=f"{'Resumed' if enabled else 'Paused'} a schedule of suite “{schedule.suite}”: {schedule.when}")
    return schedule


def schedule_delete(*, user, schedule: SuiteSchedule) -> None:
    require_perm(user, OPERATE)
    with transaction.atomic():
        _audit(user=user, schedule=schedule, action="delete", before=_fields(schedule), after=None,
               summary=f"Deleted a schedule of suite “{schedule.suite}”: {schedule.when}")
        if schedule.periodic_task:
            schedule.periodic_task.delete()
        schedule.delete()


def _claim_firing(schedule: SuiteSchedule, *, task_id: str, now: datetime) -> ScheduleFiring | None:
    """This message's firing: its own row if redelivered, a new row for a new slot, or None
    when another message already fired this slot."""
    firing = ScheduleFiring.objects.filter(task_id=task_id).first()
    if firing:
        return firing
    slot = slot_for(schedule, now)
    # A schedule saved before the spacing check (or written around the form) still never runs
    # twice within MIN_MINUTES_APART: a slot that close after the last firing is skipped.
    if ScheduleFiring.objects.filter(schedule=schedule, scheduled_for__lt=slot,
                                     scheduled_for__gt=slot - timedelta(minutes=MIN_MINUTES_APART)).exists():
        return None
    try:
        with transaction.atomic():
            return ScheduleFiring.objects.create(schedule=schedule, scheduled_for=slot, task_id=task_id)
    except IntegrityError:
        return None


def schedule_fire(*, schedule_id: int, task_id: str, now: datetime | None = None) -> SuiteRun | None:
    """Start the scheduled run for this firing, once. None if paused, deleted or already fired.

    The Idempotency-Key is derived from the schedule and its scheduled time, so even a firing
    retried after a lost Telnyx answer gets Telnyx's first batch back.
    """
    schedule = SuiteSchedule.objects.select_related("owner").filter(pk=schedule_id, enabled=True).first()
    if schedule is None:
        return None
    firing = _claim_firing(schedule, task_id=task_id, now=now or timezone.now())
    if firing is None:
        return None
    if firing.suite_run_id:
        return firing.suite_run
    if schedule.owner is None or not schedule.owner.has_perm(OPERATE):
        ScheduleFiring.objects.filter(pk=firing.pk).update(error=OWNER_CANNOT_RUN)
        return None
    try:
        suite_run = suite_run_trigger(user=schedule.owner, suite_name=schedule.suite, versions=schedule.versions,
                                      idempotency_key=firing.idempotency_key)
    except TelnyxError as exc:
        ScheduleFiring.objects.filter(pk=firing.pk).update(error=exc.user_message)
        raise
    SuiteRun.objects.filter(pk=suite_run.pk).update(schedule=schedule)
    ScheduleFiring.objects.filter(pk=firing.pk).update(suite_run=suite_run, error="")
    suite_run.schedule = schedule
    return suite_run
