"""The tasks page groups by task, hides periodic runs that did nothing, filters by state and
task together; old rows are pruned (failures too, later); a listing of an object Telnyx no
longer has stops syncing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from core.tasks import prune_task_records, refresh_listings, sync_listing
from portal.models import SyncState, TaskRecord
from releases.tasks import advance_due_plans

pytestmark = pytest.mark.django_db


def tasks_page(client, **params) -> str:
    return client.get(reverse("tasks"), params).content.decode()


def test_periodic_runs_that_did_nothing_are_hidden_until_asked_for(team_admin_client):
    for _ in range(3):
        advance_due_plans.apply()
    assert TaskRecord.objects.filter(idle=True).count() == 3
    page = tasks_page(team_admin_client)
    table = page.split('data-testid="tasks"')[1]
    assert "Advance rollout plans that are due" not in table and "Show periodic runs that did nothing (3)" in page
    shown = tasks_page(team_admin_client, idle="1").split('data-testid="tasks"')[1]
    assert shown.count("Advance rollout plans that are due") == 3


@responses.activate
def test_grouped_by_task_and_filtered_by_state_and_task_together(team_admin_client, telnyx_base):
    responses.get(f"{telnyx_base}/ai/assistants", status=503)
    responses.get(f"{telnyx_base}/ai/openai/models", json={"data": []})
    sync_listing.apply(args=["assistants"], throw=False)
    sync_listing.apply(args=["models"], throw=False)
    TaskRecord.objects.create(task_id="x", name="testing.tasks.track_unfinished_runs", key="k", label="Track runs")
    page = tasks_page(team_admin_client)
    groups = page.split('data-testid="task-groups"')[1].split("</section>")[0]
    assert "Sync … from Telnyx" in groups and ">2<" in groups  # two syncs, one group
    failed_syncs = tasks_page(team_admin_client, state="failed", kind="portal.tasks.sync_listing")
    table = failed_syncs.split('data-testid="tasks"')[1]
    assert "Sync assistants from Telnyx" in table and "Sync models from Telnyx" not in table and "Track runs" not in table
    assert "state=failed&amp;kind=portal.tasks.sync_listing" in table  # the tabs and pages keep both


def test_prune_drops_idle_runs_within_the_hour_and_old_failures_after_a_month():
    now = timezone.now()

    def record(n, **fields):
        return TaskRecord.objects.create(task_id=f"t{n}", name="n", key="k", **fields)

    record(1, idle=True, state="succeeded", created_at=now - timedelta(hours=2))
    record(2, state="failed", created_at=now - timedelta(days=40))
    record(3, state="failed", created_at=now - timedelta(days=10))
    record(4, state="succeeded", created_at=now - timedelta(days=8))
    record(5, state="succeeded", created_at=now - timedelta(minutes=5))
    assert prune_task_records() == 3
    assert set(TaskRecord.objects.values_list("task_id", flat=True)) == {"t3", "t5"}


@responses.activate
def test_a_listing_of_an_assistant_telnyx_deleted_stops_syncing(telnyx_base):
    gone = "assistant-gone"
    SyncState.objects.create(resource=f"versions:{gone}", synced_at=timezone.now() - timedelta(hours=1))
    responses.get(f"{telnyx_base}/ai/assistants/{gone}/versions", status=404, json={"errors": [{"title": "Not found"}]})
    responses.get(f"{telnyx_base}/ai/assistants/{gone}", status=404, json={"errors": [{"title": "Not found"}]})
    sync_listing.apply(args=[f"versions:{gone}"], throw=False)
    assert TaskRecord.objects.get().state == "succeeded"
    assert not SyncState.objects.filter(resource=f"versions:{gone}").exists()
    assert f"versions:{gone}" not in refresh_listings.apply().result
