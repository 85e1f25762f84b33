"""One date format, in the reader's chosen time zone with UTC on hover; each person sets theirs."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone as dj_timezone

from assistants.models import ScheduledEvent
from portal.models import UserPreference

pytestmark = pytest.mark.django_db

AID = "assistant-00000001-0000-4000-8000-000000000000"


def test_when_names_the_zone_and_keeps_utc_on_hover():
    moment = datetime(2026, 12, 6, 20, 31, tzinfo=timezone.utc)
    with dj_timezone.override("Europe/Berlin"):
        html = Template("{{ at|when }}").render(Context({"at": moment}))
    assert ">6 Dec 2026, 21:31 CET</time>" in html and 'title="2026-12-06 20:31:00 UTC"' in html
    assert Template("{{ at|when }}").render(Context({"at": "2026-12-06T20:31:00Z"})).endswith("20:31 UTC</time>")


def test_a_person_chooses_a_zone_and_every_date_follows(team_admin_client, team_admin):
    ScheduledEvent.objects.create(telnyx_id=f"{AID}:ev-1", assistant_id=AID, event_id="ev-1", channel="phone_call",
                                  status="pending", end_user_target="+15550000001", synced_at=dj_timezone.now(),
                                  scheduled_at=datetime(2099, 1, 1, 9, 0, tzinfo=timezone.utc))
    from assistants.services.scheduled import scheduled_resource
    from portal.models import SyncState
    SyncState.objects.create(resource=scheduled_resource(AID), synced_at=dj_timezone.now())
    listed = team_admin_client.get(reverse("assistants:scheduled-list", args=[AID])).content.decode()
    assert "1 Jan 2099, 09:00 UTC" in listed
    response = team_admin_client.post(reverse("preferences"), {"time_zone": "Europe/Berlin"}, follow=True)
    assert "Dates are now shown in Europe/Berlin." in response.content.decode()
    assert UserPreference.objects.get(user=team_admin).time_zone == "Europe/Berlin"
    listed = team_admin_client.get(reverse("assistants:scheduled-list", args=[AID])).content.decode()
    assert ">1 Jan 2099, 10:00 CET</time>" in listed and 'title="2099-01-01 09:00:00 UTC"' in listed
    assert "Time zone: Europe/Berlin" in listed
    form = team_admin_client.get(reverse("assistants:scheduled-add", args=[AID])).content.decode()
    assert '<option value="Europe/Berlin" selected>' in form


def test_an_unknown_zone_is_refused(viewer_client):
    response = viewer_client.post(reverse("preferences"), {"time_zone": "Mars/Olympus"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
