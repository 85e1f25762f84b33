"""An assistant's versions and scheduled events and a test's run history sync on a real worker (both brokers):
the page serves the cache at once and says a sync is under way, its poll reloads the page
when the sync has ended, and the beat's sweep re-syncs them once stale."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assistants.models import AssistantVersion, ScheduledEvent
from core.tasks import refresh_listings
from portal.models import SyncState, TaskRecord
from portal.telnyx import get_client
from testing.models import TestRun

from .conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def _synced(resource: str, after=None):
    state = SyncState.objects.filter(resource=resource, synced_at__isnull=False, lease_until__isnull=True).first()
    return state if state and (after is None or state.synced_at > after) else None


def test_the_versions_page_serves_the_cache_while_the_worker_syncs_then_reloads(start_worker, viewer_client):
    call_command("sandbox_seed", "--demo", verbosity=0)
    acme = next(a for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Acme Support")
    resource = f"versions:{acme['id']}"
    page = viewer_client.get(reverse("assistants:version-list", args=[acme["id"]])).content.decode()
    # No worker yet: the page answered from the (empty) cache without waiting for Telnyx.
    assert 'data-testid="listing-syncing"' in page and "No versions loaded yet." in page
    assert not AssistantVersion.objects.filter(assistant_id=acme["id"]).exists()
    status = reverse("sync-detail", args=[resource])
    assert 'data-testid="listing-syncing"' in viewer_client.get(status, headers={"HX-Request": "true"}).content.decode()

    start_worker()
    wait_for(lambda: _synced(resource), what="the worker's versions sync")
    done = viewer_client.get(status, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"  # the poll reloads the page
    page = viewer_client.get(reverse("assistants:version-list", args=[acme["id"]])).content.decode()
    assert "empathy experiment" in page and 'data-testid="listing-syncing"' not in page
    assert TaskRecord.objects.get(key__contains=resource).state == "succeeded"


def test_the_scheduled_page_serves_the_cache_while_the_worker_syncs_then_reloads(start_worker, viewer_client):
    call_command("sandbox_seed", "--demo", verbosity=0)
    clinic = next(a for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Clinic Booking")
    resource = f"scheduled_events:{clinic['id']}"
    url = reverse("assistants:scheduled-list", args=[clinic["id"]])
    page = viewer_client.get(url).content.decode()
    assert 'data-testid="listing-syncing"' in page and "No scheduled events loaded yet." in page
    start_worker()
    wait_for(lambda: _synced(resource), what="the worker's scheduled events sync")
    done = viewer_client.get(reverse("sync-detail", args=[resource]), headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    listed = ScheduledEvent.objects.filter(assistant_id=clinic["id"])
    assert listed.exists()
    page = viewer_client.get(url).content.decode()
    assert f'data-event="{listed.first().event_id}"' in page and 'data-testid="listing-syncing"' not in page


def test_a_tests_run_history_syncs_on_the_worker_and_the_sweep_keeps_both_fresh(start_worker, viewer_client):
    call_command("sandbox_seed", "--demo", verbosity=0)
    client = get_client()
    test = client.get("ai/assistants/tests").data["data"][0]
    run = client.post(f"ai/assistants/tests/{test['test_id']}/runs", json={}).data
    resource = f"test-runs:{test['test_id']}"
    start_worker()
    page = viewer_client.get(reverse("testing:test-detail", args=[test["test_id"]])).content.decode()
    assert 'data-testid="history-syncing"' in page or _synced(resource)  # unless the worker was already done
    wait_for(lambda: _synced(resource), what="the worker's run-history sync")
    assert TestRun.objects.filter(telnyx_id=run["run_id"], test_id=test["test_id"]).exists()
    history = viewer_client.get(reverse("testing:test-detail", args=[test["test_id"]]), headers={"HX-Request": "true"})
    assert run["run_id"] in history.content.decode()

    # The poll had the run followed (track_test_runs): wait for it to settle, lease released.
    wait_for(lambda: not TaskRecord.objects.filter(state__in=TaskRecord.ACTIVE).exists() and _synced(resource),
             what="the run's tracking to finish")
    # Both per-object listings age past CACHE_TTL: the beat's sweep queues their syncs.
    acme = next(a for a in client.get("ai/assistants").data["data"] if a["name"] == "Acme Support")
    versions = f"versions:{acme['id']}"
    old = timezone.now() - timedelta(days=1)
    SyncState.objects.update_or_create(resource=versions, defaults={"synced_at": old})
    SyncState.objects.filter(resource=resource).update(synced_at=old)
    due = refresh_listings.apply().result  # what beat runs; the syncs it queues go to the worker
    assert versions in due and resource in due
    wait_for(lambda: _synced(versions, after=old) and _synced(resource, after=old), what="the sweep's syncs")
    assert AssistantVersion.objects.filter(assistant_id=acme["id"]).exists()
