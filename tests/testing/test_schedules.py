"""Scheduled suite runs: add, edit, pause and delete from the suite page (Operators only), cron
validation, the beat entry kept in step, and firing exactly once per scheduled time."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import responses
from django.urls import reverse
from django_celery_beat.models import PeriodicTask
from hypothesis import assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from portal.models import AuditEvent
from testing.models import ScheduleFiring, SuiteRun, SuiteSchedule
from testing.services import schedules as services
from testing.tasks import fire_schedule

from .test_testing_suites import DESTINATION, mock_history, mock_versions, suite  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
UTC = dt_timezone.utc
TRIGGER = "ai/assistants/tests/test-suites/booking/runs"


def add(client, **data):
    return client.post(reverse("testing:schedule-create", args=["booking"]), {"kind": "cron", "version": "", **data})


@responses.activate
def test_operator_schedules_a_suite_with_cron_and_sees_the_next_run(operator_client, telnyx_base, suite):
    response = add(operator_client, cron="0 3 * * 1-5")
    assert response.status_code == 302
    schedule = SuiteSchedule.objects.get()
    task = PeriodicTask.objects.get(pk=schedule.periodic_task_id)
    assert task.task == "testing.tasks.fire_schedule" and task.enabled
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("0", "3", "1-5")
    assert AuditEvent.objects.get(action="create").summary.startswith("Scheduled suite “booking”: cron 0 3 * * 1-5")
    mock_history(telnyx_base)
    page = operator_client.get(reverse("testing:suite-detail", args=["booking"]) + "?tab=schedules").content.decode()
    assert "At 03:00 AM, Monday through Friday" in page
    assert services.next_run_at(schedule).strftime("%-d %b %Y, 03:00 UTC") in page  # one date format, zone named


@pytest.mark.parametrize("cron, error", [
    ("0 3 * *", "A cron expression has 5 fields"),
    ("61 * * * *", "Not a valid cron expression: Invalid end range: 61 &gt; 59."),
    ("", "Enter a cron expression"),
    ("* * * * *", "at least 5 minutes apart: this expression fires at 00:00 and 00:01 UTC, 1 minute apart"),
    ("*/4 * * * *", "fires at 00:00 and 00:04 UTC, 4 minutes apart"),
    ("0,58 * * * *", "fires at 00:58 and 01:00 UTC, 2 minutes apart"),
    ("0,59 0,23 * * *", "fires at 23:59 and 00:00 UTC, 1 minute apart"),
])
@responses.activate
def test_a_bad_cron_expression_gets_a_field_error_and_keeps_what_was_typed(operator_client, telnyx_base, suite, cron, error):
    mock_history(telnyx_base)
    response = add(operator_client, cron=cron)
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page and f'value="{cron}"' in page if cron else error in page
    assert not SuiteSchedule.objects.exists() and not PeriodicTask.objects.filter(task=services.FIRE_TASK).exists()


def _firings_brute_force(cron, days: int) -> list[int]:
    """Every firing, in minutes from the start, by walking the calendar: the check's oracle."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    times = sorted(h * 60 + m for h in cron.hour for m in cron.minute)
    return [n * 1440 + t for n in range(days) if services._day_matches(cron, start + timedelta(days=n)) for t in times]


@hypothesis_settings(max_examples=60, deadline=None)
@given(st.sampled_from(["*", "*/7", "*/5", "0,4", "0,58", "3", "0-4", "59", "0,30"]),
       st.sampled_from(["*", "0", "23", "0,23", "9-17", "*/6"]),
       st.sampled_from(["*", "1", "31", "29", "1,2"]),
       st.sampled_from(["*", "2", "1,3"]),
       st.sampled_from(["*", "1", "1-5", "0,6", "6"]))
def test_the_spacing_check_agrees_with_every_firing_over_four_years(minute, hour, dom, month, dow):
    """Accepted iff no two consecutive firings over four years (every weekday and leap-day
    combination) are under 5 minutes apart; the gap it reports is the true shortest one."""
    try:
        cron = services.parse_cron(f"{minute} {hour} {dom} {month} {dow}")
    except ValueError:  # e.g. 31 February: refused before any spacing question
        assume(False)
    firings = _firings_brute_force(cron, services.CRON_LOOKBACK_DAYS + 1)
    shortest = min((b - a for a, b in zip(firings, firings[1:])), default=None)
    closest = services.cron_closest_firings(cron)
    assert (closest[0] if closest else None) == shortest
    try:
        services.check_cron_spacing(cron)
        accepted = True
    except ValueError:
        accepted = False
    assert accepted == (shortest is None or shortest >= services.MIN_MINUTES_APART)


def test_close_times_on_days_that_never_follow_each_other_are_allowed():
    services.check_cron_spacing(services.parse_cron("0,59 0,23 * * 1"))  # Mondays only: 23:59 -> next Monday
    with pytest.raises(ValueError, match="23:59 and 00:00 UTC, 1 minute apart"):
        services.check_cron_spacing(services.parse_cron("0,59 0,23 * * 1,2"))


@responses.activate
def test_interval_needs_minutes(operator_client, telnyx_base, suite):
    mock_history(telnyx_base)
    assert "Enter how many minutes apart" in add(operator_client, kind="interval").content.decode()
    assert add(operator_client, kind="interval", every_minutes="60").status_code == 302
    assert PeriodicTask.objects.get(task=services.FIRE_TASK).interval.every == 60


@responses.activate
def test_viewers_cannot_schedule_and_see_no_schedule_controls(viewer_client, operator, telnyx_base, suite):
    schedule = services.schedule_create(user=operator, suite_name="booking", data={"kind": "cron", "cron": "0 3 * * *"})
    assert add(viewer_client, cron="0 4 * * *").status_code == 403
    for name in ("testing:schedule-toggle", "testing:schedule-delete", "testing:schedule-edit"):
        assert viewer_client.post(reverse(name, args=[schedule.pk])).status_code == 403
    mock_history(telnyx_base)
    page = viewer_client.get(reverse("testing:suite-detail", args=["booking"]) + "?tab=schedules").content.decode()
    assert "0 3 * * *" in page and "Add schedule" not in page and "Pause" not in page
    assert SuiteSchedule.objects.get().enabled


def test_edit_moves_the_beat_entry_and_a_stale_form_is_refused(operator_client, operator, suite):
    schedule = services.schedule_create(user=operator, suite_name="booking", data={"kind": "cron", "cron": "0 3 * * *"})
    url = reverse("testing:schedule-edit", args=[schedule.pk])
    opened = operator_client.get(url).content.decode()
    token = schedule.updated_at.isoformat()
    assert 'value="0 3 * * *"' in opened
    assert operator_client.post(url, {"kind": "interval", "every_minutes": "30", "updated": token}).status_code == 302
    task = PeriodicTask.objects.get(task=services.FIRE_TASK)
    assert task.interval.every == 30 and task.crontab is None
    stale = operator_client.post(url, {"kind": "cron", "cron": "5 5 * * *", "updated": token}, follow=True).content.decode()
    assert "Someone else changed this schedule" in stale
    assert SuiteSchedule.objects.get().kind == "interval"
    assert AuditEvent.objects.filter(action="update").count() == 1


@responses.activate
def test_pause_resume_and_delete(operator_client, operator, telnyx_base, suite):
    schedule = services.schedule_create(user=operator, suite_name="booking", data={"kind": "cron", "cron": "0 3 * * *"})
    mock_history(telnyx_base)
    page = operator_client.post(reverse("testing:schedule-toggle", args=[schedule.pk]), follow=True).content.decode()
    assert "Schedule paused" in page and "Paused" in page and "Resume" in page
    assert not PeriodicTask.objects.get().enabled
    operator_client.post(reverse("testing:schedule-toggle", args=[schedule.pk]))
    assert PeriodicTask.objects.get().enabled
    operator_client.post(reverse("testing:schedule-delete", args=[schedule.pk]))
    assert not SuiteSchedule.objects.exists() and not PeriodicTask.objects.filter(task=services.FIRE_TASK).exists()
    assert [e.action for e in AuditEvent.objects.order_by("pk")] == ["create", "pause", "resume", "delete"]


def test_latest_cron_match_finds_the_slot_a_firing_belongs_to():
    weekdays_at_3 = services.parse_cron("0 3 * * 1-5")
    monday = datetime(2026, 11, 30, 3, 0, 40, tzinfo=UTC)
    assert services.latest_cron_match(weekdays_at_3, monday) == datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    # A firing late on Sunday belongs to Friday's 03:00.
    assert services.latest_cron_match(weekdays_at_3, datetime(2026, 11, 29, 23, 0, tzinfo=UTC)) == datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    every_15 = services.parse_cron("*/15 * * * *")
    assert services.latest_cron_match(every_15, datetime(2026, 11, 30, 10, 44, tzinfo=UTC)) == datetime(2026, 11, 30, 10, 30, tzinfo=UTC)


@responses.activate
def test_a_schedule_fires_once_per_scheduled_time_and_its_run_is_marked_as_scheduled(operator, telnyx_base, suite, run_json, viewer_client):
    schedule = services.schedule_create(user=operator, suite_name="booking", data={"kind": "cron", "cron": "0 * * * *", "versions": {DESTINATION: "ver-a"}})
    trigger = responses.post(f"{telnyx_base}/{TRIGGER}", json=[run_json("r1", test_suite_run_id="b1")])
    at = datetime(2026, 11, 30, 10, 0, 2, tzinfo=UTC)
    first = services.schedule_fire(schedule_id=schedule.pk, task_id="beat-1", now=at)
    # Beat restarted right after sending and sent the same hour again; then the broker redelivered the first.
    assert services.schedule_fire(schedule_id=schedule.pk, task_id="beat-2", now=at + timedelta(seconds=20)) is None
    assert services.schedule_fire(schedule_id=schedule.pk, task_id="beat-1", now=at + timedelta(minutes=7)) == first
    assert trigger.call_count == 1
    sent = trigger.calls[0].request
    assert sent.headers["Idempotency-Key"] == ScheduleFiring.objects.get().idempotency_key
    assert b'"destination_version_id": "ver-a"' in sent.body
    run = SuiteRun.objects.get()
    assert run.schedule == schedule and run.username == operator.username and run.version_id == "ver-a"
    # The next hour is a new run.
    responses.replace(responses.POST, f"{telnyx_base}/{TRIGGER}", json=[run_json("r2", test_suite_run_id="b2")])
    services.schedule_fire(schedule_id=schedule.pk, task_id="beat-3", now=at + timedelta(hours=1))
    assert SuiteRun.objects.filter(schedule=schedule).count() == 2
    mock_history(telnyx_base)
    page = viewer_client.get(reverse("testing:suite-detail", args=["booking"])).content.decode()
    assert f"Schedule ({operator.username})" in page


@responses.activate
def test_a_too_frequent_schedule_saved_before_the_check_still_runs_at_most_every_5_minutes(operator, telnyx_base, suite, run_json):
    schedule = services.schedule_create(user=operator, suite_name="booking", data={"kind": "cron", "cron": "0 * * * *"})
    SuiteSchedule.objects.filter(pk=schedule.pk).update(cron="* * * * *")  # as an older release let it be saved
    at = datetime(2026, 11, 30, 10, 0, 2, tzinfo=UTC)
    fired = []
    responses.post(f"{telnyx_base}/{TRIGGER}")
    for n in range(11):  # beat sends one message a minute for ten minutes
        responses.replace(responses.POST, f"{telnyx_base}/{TRIGGER}", json=[run_json(f"r{n}", test_suite_run_id=f"b{n}")])
        if services.schedule_fire(schedule_id=schedule.pk, task_id=f"beat-{n}", now=at + timedelta(minutes=n)):
            fired.append(n)
    assert fired == [0, 5, 10]


@responses.activate
def test_the_fire_task_does_nothing_for_a_paused_schedule_or_an_owner_who_lost_the_role(operator, telnyx_base, suite):
    schedule = services.schedule_create(user=operator, suite_name="booking", data={"kind": "interval", "every_minutes": 60})
    trigger = responses.post(f"{telnyx_base}/{TRIGGER}", json=[])
    services.schedule_set_enabled(user=operator, schedule=schedule, enabled=False)
    fire_schedule.apply(kwargs={"schedule_id": schedule.pk})
    assert not ScheduleFiring.objects.exists()
    services.schedule_set_enabled(user=operator, schedule=schedule, enabled=True)
    operator.groups.clear()
    fire_schedule.apply(kwargs={"schedule_id": schedule.pk})
    assert trigger.call_count == 0
    assert "can no longer run suites" in ScheduleFiring.objects.get().error


def test_interval_slots_count_from_the_last_edit(operator, suite):
    schedule = services.schedule_create(user=operator, suite_name="booking", data={"kind": "interval", "every_minutes": 30})
    start = schedule.anchor_at
    assert services.slot_for(schedule, start + timedelta(minutes=29)) == start
    assert services.slot_for(schedule, start + timedelta(minutes=31)) == start + timedelta(minutes=30)


@responses.activate
def test_a_schedule_runs_on_the_chosen_version_of_the_destination_and_edit_keeps_it(operator_client, telnyx_base, suite):
    mock_versions(telnyx_base)
    assert add(operator_client, cron="30 2 * * *", version="ver-b").status_code == 302
    schedule = SuiteSchedule.objects.get()
    assert schedule.versions == {DESTINATION: "ver-b"}
    assert "on Release ver-b" in AuditEvent.objects.get(action="create").summary
    edit = operator_client.get(reverse("testing:schedule-edit", args=[schedule.pk])).content.decode()
    assert '<option value="ver-b" selected>' in edit
    # Resubmitting the same add form (same Idempotency-Key) adds no twin.
    key = "3d0e-resubmitted"
    add(operator_client, cron="0 4 * * *", idempotency_key=key)
    add(operator_client, cron="0 4 * * *", idempotency_key=key)
    assert SuiteSchedule.objects.count() == 2


def test_a_preset_fills_in_the_cron_and_custom_keeps_it_for_experts():
    from testing.forms.suites import ScheduleForm

    nightly = ScheduleForm({"preset": "weekdays-0900", "kind": "cron", "cron": ""})
    assert nightly.is_valid(), nightly.errors
    assert (nightly.cleaned_data["kind"], nightly.cleaned_data["cron"]) == ("cron", "0 9 * * 1-5")
    every = ScheduleForm({"preset": "every-15", "kind": "cron", "cron": ""})
    assert every.is_valid() and (every.cleaned_data["kind"], every.cleaned_data["every_minutes"]) == ("interval", 15)
    custom = ScheduleForm({"preset": "custom", "kind": "cron", "cron": "not cron"})
    assert not custom.is_valid() and "cron" in custom.errors
    editing = ScheduleForm(initial={"kind": "cron", "cron": "0 3 * * *"})
    assert editing.initial["preset"] == "nightly"
    assert 'data-expert="1"' in str(editing["cron"]) and 'data-preset="1"' in str(editing["preset"])
