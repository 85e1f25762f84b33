"""A scheduled suite run through a real worker, on the embedded broker and on Redis: the
message beat sends starts one run, recorded as triggered by the schedule, even when beat
sends it twice (restarted right after sending)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from portal.models import TaskRecord
from portal.telnyx import get_client
from testing.models import ScheduleFiring, SuiteRun
from testing.services import schedules
from testing.tasks import fire_schedule

from .conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_schedule_fires_on_the_worker_once_and_its_run_is_recorded_as_triggered_by_it(start_worker, operator, settings):
    call_command("sandbox_seed", "--demo", verbosity=0)
    settings.SANDBOX_ASYNC_SECONDS = 1
    client = get_client()
    assistant = next(a["id"] for a in client.get("ai/assistants").data["data"] if a["name"] == "Acme Support")
    for n in range(2):
        client.post("ai/assistants/tests", json={
            "name": f"Hourly check {n}", "destination": assistant, "instructions": "Ask for opening hours.",
            "telnyx_conversation_channel": "web_chat", "test_suite": "hourly",
            "rubric": [{"name": "answers", "criteria": "Gives the opening hours"}]})
    schedule = schedules.schedule_create(user=operator, suite_name="hourly", data={"kind": "cron", "cron": "0 * * * *"})
    start_worker()
    # What beat sends for the schedule, twice: a beat restarted before it saved the first send.
    for _ in range(2):
        fire_schedule.apply_async(kwargs={"schedule_id": schedule.pk})
    run = wait_for(lambda: SuiteRun.objects.filter(suite="hourly", schedule=schedule).first(), what="the scheduled run")
    final = wait_for(lambda: SuiteRun.objects.filter(pk=run.pk).exclude(status="running").first(), timeout=90,
                     what="the scheduled run to be followed to the end")
    assert final.finished == 2 and final.username == operator.username
    wait_for(lambda: TaskRecord.objects.filter(name="testing.tasks.fire_schedule", state="succeeded").count() == 2,
             what="both messages to be handled")
    assert ScheduleFiring.objects.count() == 1 and SuiteRun.objects.filter(suite="hourly").count() == 1
    assert len(client.get("ai/assistants/tests/test-suites/hourly/runs").data["data"]) == 2
