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


def test_list_filters_by_channel_in_telnyx_and_by_status_here(api, viewer_client):
    api.get(api.events, json={"data": [event(1), event(2, status="completed")], "meta": {"page_number": 1, "total_pages": 1}})
    content = viewer_client.get(reverse("assistants:scheduled-list", args=[AID]),
                                {"status": "pending", "channel": "phone_call"}).content.decode()
    assert "+15550000001" in content and "+15550000002" not in content
    assert "conversation_channel=phone_call" in api.calls[0].request.url
    assert "Schedule a call or SMS" not in content  # viewers cannot create


def test_create_converts_the_local_time_to_utc(api, team_admin_client):
    api.post(api.events, json=event(3))
    response = team_admin_client.post(reverse("assistants:scheduled-add", args=[AID]), {
        "telnyx_conversation_channel": "phone_call", "telnyx_agent_target": "+15550000000",
        "telnyx_end_user_target": "+15550000003", "scheduled_at": "2099-01-01T10:00", "time_zone": "Europe/Berlin",
        "idempotency_key": "portal-ev-1"})
    assert response.status_code == 302 and response.url.endswith("/scheduled/ev-3/")
    sent = json.loads(api.calls[0].request.body)
    assert sent["scheduled_at_fixed_datetime"] == "2099-01-01T09:00:00Z"  # Berlin is UTC+1 in winter
    assert api.calls[0].request.headers["Idempotency-Key"] == "portal-ev-1"
    assert AuditEvent.objects.get().action == "create"


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


def test_cancel_deletes_in_telnyx_and_is_audited(api, team_admin_client):
    api.delete(f"{api.events}/ev-1", status=204)
    api.get(api.events, json={"data": []})
    response = team_admin_client.post(reverse("assistants:scheduled-cancel", args=[AID, "ev-1"]), follow=True)
    assert "Cancelled the scheduled event." in response.content.decode()
    assert AuditEvent.objects.get().action == "cancel"


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
    assert "Scheduled the event." in content and "2099-06-01 14:00 UTC" in content and "pending" in content
    event_id = response.redirect_chain[-1][0].rstrip("/").split("/")[-1]
    listed = team_admin_client.get(reverse("assistants:scheduled-list", args=[assistant_id]), {"channel": "sms_chat"})
    assert b"+15550000005" in listed.content
    cancelled = team_admin_client.post(reverse("assistants:scheduled-cancel", args=[assistant_id, event_id]), follow=True)
    assert b"Cancelled the scheduled event." in cancelled.content
    assert get_client().get(f"ai/assistants/{assistant_id}/scheduled_events/{event_id}").data["status"] == "failed"
