"""Scheduled events: list with filters, create (time zone → UTC, SMS text), detail, cancel."""

from __future__ import annotations

import json

import pytest
import responses
from django.core.management import call_command
from django.urls import reverse

from portal.models import AuditEvent
from portal.telnyx import get_client

pytestmark = pytest.mark.django_db

AID = "assistant-00000001-0000-4000-8000-000000000000"


def event(n, **extra):
    return {"scheduled_event_id": f"ev-{n}", "assistant_id": AID, "telnyx_conversation_channel": "phone_call",
            "scheduled_at_fixed_datetime": "2099-01-01T09:00:00Z", "telnyx_agent_target": "+15550000000",
            "telnyx_end_user_target": f"+1555000000{n}", "status": "pending", **extra}


@pytest.fixture
def api(telnyx_base):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.events = f"{telnyx_base}/ai/assistants/{AID}/scheduled_events"
        yield mock


def page(items, number=1, total=1):
    return {"data": items, "meta": {"page_number": number, "total_pages": total}}


def list_url():
    return reverse("assistants:scheduled-list", args=[AID])


def test_list_serves_the_cache_with_search_filters_and_sort(api, viewer_client):
    api.get(api.events, json=page([event(1), event(2, status="completed"), event(3, telnyx_conversation_channel="sms_chat"),
                                   event(4, scheduled_at_fixed_datetime="2098-01-01T09:00:00Z")]))
    first = viewer_client.get(list_url()).content.decode()  # never synced: the sync runs (inline in tests)
    assert "4 results" in first and "Schedule a call or SMS" not in first  # viewers cannot create
    assert first.index("+15550000004") < first.index("+15550000001")  # soonest first
    filtered = viewer_client.get(list_url(), {"status": "pending", "channel": "phone_call"}).content.decode()
    assert "+15550000001" in filtered and "+15550000002" not in filtered and "+15550000003" not in filtered
    searched = viewer_client.get(list_url(), {"q": "0000002"}).content.decode()
    assert "+15550000002" in searched and "1 result" in searched
    latest = viewer_client.get(list_url(), {"sort": "-when"}).content.decode()
    assert latest.index("+15550000001") < latest.index("+15550000004")
    fragment = viewer_client.get(list_url(), {"status": "failed"}, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="changelist-table"') and "No scheduled events match" in fragment
    assert len(api.calls) == 1  # the fresh cache served every view after the first


def test_sync_walks_every_page_and_drops_events_telnyx_no_longer_has(api, viewer_client):
    from assistants.models import ScheduledEvent
    from assistants.services.scheduled import scheduled_sync

    api.get(api.events, match=[responses.matchers.query_param_matcher({"page[number]": "1", "page[size]": "100"})],
            json=page([event(1)], 1, 2))
    api.get(api.events, match=[responses.matchers.query_param_matcher({"page[number]": "2", "page[size]": "100"})],
            json=page([event(2)], 2, 2))
    ScheduledEvent.objects.create(telnyx_id=f"{AID}:ev-9", assistant_id=AID, event_id="ev-9", channel="phone_call",
                                  synced_at="2000-01-01T00:00:00Z")
    ScheduledEvent.objects.create(telnyx_id="other:ev-9", assistant_id="other", event_id="ev-9", channel="phone_call",
                                  synced_at="2000-01-01T00:00:00Z")
    assert scheduled_sync(assistant_id=AID).ok
    assert set(ScheduledEvent.objects.filter(assistant_id=AID).values_list("event_id", flat=True)) == {"ev-1", "ev-2"}
    assert ScheduledEvent.objects.filter(assistant_id="other").exists()  # another assistant's events stay


def test_a_sync_left_half_done_resumes_from_its_page(api):
    from datetime import timedelta

    from django.utils import timezone

    from assistants.models import ScheduledEvent
    from assistants.services.scheduled import scheduled_resource, scheduled_sync, scheduled_sync_step
    from portal.models import SyncState

    one = api.get(api.events, match=[responses.matchers.query_param_matcher({"page[number]": "1", "page[size]": "100"})],
                  json=page([event(1)], 1, 2))
    two = api.get(api.events, match=[responses.matchers.query_param_matcher({"page[number]": "2", "page[size]": "100"})],
                  json=page([event(2)], 2, 2))
    assert not scheduled_sync_step(assistant_id=AID).done  # page 1 stored, then the worker "dies"
    SyncState.objects.filter(resource=scheduled_resource(AID)).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert scheduled_sync(assistant_id=AID).count == 2
    assert (one.call_count, two.call_count) == (1, 1)  # page 1 was not read again
    assert ScheduledEvent.objects.filter(assistant_id=AID).count() == 2


def test_a_failed_sync_keeps_the_cached_events_and_says_so(api, viewer_client):
    from datetime import timedelta

    from django.utils import timezone

    from assistants.services.scheduled import scheduled_resource
    from portal.models import SyncState

    api.get(api.events, json=page([event(1)]))
    viewer_client.get(list_url())
    SyncState.objects.filter(resource=scheduled_resource(AID)).update(synced_at=timezone.now() - timedelta(days=1))
    api.replace(responses.GET, api.events, status=503)
    content = viewer_client.get(list_url()).content.decode()
    assert "+15550000001" in content and "The last sync from Telnyx failed" in content


def test_create_converts_the_local_time_to_utc_and_lists_the_event_at_once(api, team_admin_client):
    api.get(api.events, json=page([]))
    assert "No scheduled events." in team_admin_client.get(list_url()).content.decode()
    api.post(api.events, json=event(3))
    response = team_admin_client.post(reverse("assistants:scheduled-add", args=[AID]), {
        "telnyx_conversation_channel": "phone_call", "telnyx_agent_target": "+15550000000",
        "telnyx_end_user_target": "+15550000003", "scheduled_at": "2099-01-01T10:00", "time_zone": "Europe/Berlin",
        "idempotency_key": "portal-ev-1"})
    assert response.status_code == 302 and response.url.endswith("/scheduled/ev-3/")
    sent = json.loads(api.calls[1].request.body)
    assert sent["scheduled_at_fixed_datetime"] == "2099-01-01T09:00:00Z"  # Berlin is UTC+1 in winter
    assert api.calls[1].request.headers["Idempotency-Key"] == "portal-ev-1"
    assert AuditEvent.objects.get().action == "create"
    listed = team_admin_client.get(list_url(), {"q": "+15550000003"}).content.decode()
    assert 'data-event="ev-3"' in listed  # from the cache: the list was never read from Telnyx
    assert [c.request.method for c in api.calls] == ["GET", "POST"]


def test_sms_chat_needs_text_and_the_past_is_refused(api, team_admin_client):
    response = team_admin_client.post(reverse("assistants:scheduled-add", args=[AID]), {
        "telnyx_conversation_channel": "sms_chat", "telnyx_agent_target": "+1", "telnyx_end_user_target": "+2",
        "scheduled_at": "2001-01-01T10:00", "time_zone": "UTC"})
    content = response.content.decode()
    assert "SMS chats need the text to send." in content and "Choose a time in the future." in content
    assert len(api.calls) == 0


def test_telnyx_failure_on_create_keeps_the_form_and_is_audited(api, team_admin_client):
    api.post(api.events, status=503)
    response = team_admin_client.post(reverse("assistants:scheduled-add", args=[AID]), {
        "telnyx_conversation_channel": "sms_chat", "telnyx_agent_target": "+15550000000",
        "telnyx_end_user_target": "+15550000004", "scheduled_at": "2099-01-01T10:00", "time_zone": "UTC",
        "text": "Your appointment is tomorrow"})
    content = response.content.decode()
    assert "Telnyx had a server error (503)" in content and "Your appointment is tomorrow" in content
    assert AuditEvent.objects.get().outcome == "failure"


def test_cancel_deletes_in_telnyx_and_the_list_shows_it_cancelled_at_once(api, team_admin_client):
    from assistants.models import ScheduledEvent

    api.get(api.events, json=page([event(1), event(2)]))
    team_admin_client.get(list_url())
    api.delete(f"{api.events}/ev-1", status=204)
    api.get(f"{api.events}/ev-1", json=event(1, status="failed"))  # Telnyx keeps a cancelled pending event
    api.delete(f"{api.events}/ev-2", status=204)
    api.get(f"{api.events}/ev-2", status=404, json={"errors": [{"title": "Not found"}]})  # ... and removes others
    response = team_admin_client.post(reverse("assistants:scheduled-cancel", args=[AID, "ev-1"]), follow=True)
    assert "Cancelled the scheduled event." in response.content.decode()
    assert AuditEvent.objects.get().action == "cancel"
    team_admin_client.post(reverse("assistants:scheduled-cancel", args=[AID, "ev-2"]))
    cancelled = team_admin_client.get(list_url(), {"status": "cancelled"}).content.decode()
    assert 'data-event="ev-1"' in cancelled and "1 result" in cancelled and ">cancelled<" in cancelled
    assert "No scheduled events match" in team_admin_client.get(list_url(), {"status": "failed"}).content.decode()
    assert not ScheduledEvent.objects.filter(event_id="ev-2").exists()
    assert len([c for c in api.calls if "page" in c.request.url]) == 1  # the list was read once, before


def test_cancelled_stays_cancelled_after_a_resync_and_a_real_failure_stays_failed(api, team_admin_client, viewer_client):
    from assistants.services.scheduled import scheduled_sync

    api.delete(f"{api.events}/ev-1", status=204)
    api.get(f"{api.events}/ev-1", json=event(1, status="failed"))
    team_admin_client.post(reverse("assistants:scheduled-cancel", args=[AID, "ev-1"]))
    # A call cancelled elsewhere: Telnyx says failed, its call "canceled"; ev-3 really failed.
    api.get(api.events, json=page([event(1, status="failed"), event(2, status="failed", call_status="canceled"),
                                   event(3, status="failed", errors=["busy"])]))
    scheduled_sync(assistant_id=AID)
    cancelled = viewer_client.get(list_url(), {"status": "cancelled"}).content.decode()
    assert 'data-event="ev-1"' in cancelled and 'data-event="ev-2"' in cancelled and 'data-event="ev-3"' not in cancelled
    failed = viewer_client.get(list_url(), {"status": "failed"}).content.decode()
    assert 'data-event="ev-3"' in failed and "1 result" in failed
    detail = viewer_client.get(reverse("assistants:scheduled-detail", args=[AID, "ev-1"])).content.decode()
    assert 'data-testid="event-status">cancelled<' in detail


def test_detail_falls_back_to_the_cached_event_when_telnyx_fails(api, viewer_client):
    api.get(api.events, json=page([event(1)]))
    viewer_client.get(list_url())
    api.get(f"{api.events}/ev-1", status=503)
    content = viewer_client.get(reverse("assistants:scheduled-detail", args=[AID, "ev-1"])).content.decode()
    assert "Showing the cached copy" in content and "+15550000001" in content


def test_cancel_asks_first_on_its_own_page(api, team_admin_client, viewer_client):
    api.get(f"{api.events}/ev-1", json=event(1))
    content = team_admin_client.get(reverse("assistants:scheduled-cancel", args=[AID, "ev-1"])).content.decode()
    assert "Cancel this scheduled event?" in content and "Yes, cancel the event" in content
    assert not [c for c in api.calls if c.request.method == "DELETE"] and not AuditEvent.objects.exists()
    assert viewer_client.get(reverse("assistants:scheduled-cancel", args=[AID, "ev-1"])).status_code == 403


def test_failed_cancel_says_why(api, team_admin_client):
    api.delete(f"{api.events}/ev-1", status=500)
    api.get(f"{api.events}/ev-1", json=event(1))
    content = team_admin_client.post(reverse("assistants:scheduled-cancel", args=[AID, "ev-1"]), follow=True).content.decode()
    assert "Could not cancel the event." in content and "Cancel event" in content
    assert AuditEvent.objects.get().outcome == "failure"


@pytest.mark.django_db(transaction=True)
def test_schedule_then_cancel_against_the_sandbox(team_admin_client, sandbox):
    call_command("sandbox_seed", "--demo", verbosity=0)
    assistant_id = get_client().get("ai/assistants").data["data"][0]["id"]
    response = team_admin_client.post(reverse("assistants:scheduled-add", args=[assistant_id]), {
        "telnyx_conversation_channel": "sms_chat", "telnyx_agent_target": "+15550000000",
        "telnyx_end_user_target": "+15550000005", "scheduled_at": "2099-06-01T10:00", "time_zone": "America/New_York",
        "text": "Reminder"}, follow=True)
    content = response.content.decode()
    assert "Scheduled the event." in content and "1 Jun 2099, 14:00 UTC" in content and "pending" in content
    event_id = response.redirect_chain[-1][0].rstrip("/").split("/")[-1]
    listed = team_admin_client.get(reverse("assistants:scheduled-list", args=[assistant_id]), {"channel": "sms_chat"})
    assert b"+15550000005" in listed.content
    cancelled = team_admin_client.post(reverse("assistants:scheduled-cancel", args=[assistant_id, event_id]), follow=True)
    assert b"Cancelled the scheduled event." in cancelled.content
    assert get_client().get(f"ai/assistants/{assistant_id}/scheduled_events/{event_id}").data["status"] == "failed"
