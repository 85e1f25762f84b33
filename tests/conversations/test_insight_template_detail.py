"""An insight template's page reads the template (live, then the cache, else 404): it never
offers an empty "Add" form at the address of a template Telnyx has."""

from __future__ import annotations

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from conversations.models import InsightTemplate

pytestmark = pytest.mark.django_db

TID = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"
TEMPLATE = {"id": TID, "name": "Churn risk", "instructions": "Did the caller ask to cancel?",
            "created_at": "2026-12-01T10:00:00Z", "webhook": ""}


@responses.activate
def test_a_template_not_yet_cached_shows_its_values_not_an_add_form(team_admin_client, telnyx_base):
    responses.get(f"{telnyx_base}/ai/conversations/insights/{TID}", json={"data": TEMPLATE})
    page = team_admin_client.get(reverse("insights:template-detail", args=[TID]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Add insight template" not in body and "Churn risk" in body and "Did the caller ask to cancel?" in body
    assert InsightTemplate.objects.get(telnyx_id=TID).name == "Churn risk"


@responses.activate
def test_a_template_telnyx_does_not_have_is_a_404_and_leaves_the_cache(team_admin_client, telnyx_base):
    InsightTemplate.objects.create(telnyx_id=TID, name="Old", payload={"id": TID, "name": "Old"}, synced_at=timezone.now())
    responses.get(f"{telnyx_base}/ai/conversations/insights/{TID}", status=404, json={"errors": [{"detail": "Not found"}]})
    page = team_admin_client.get(reverse("insights:template-detail", args=[TID]))
    assert page.status_code == 404 and b"Add insight template" not in page.content
    assert not InsightTemplate.objects.filter(telnyx_id=TID).exists()


@responses.activate
def test_telnyx_down_shows_the_cached_copy_under_a_banner(team_admin_client, telnyx_base):
    InsightTemplate.objects.create(telnyx_id=TID, name="Churn risk", instructions="Cached words",
                                   payload=TEMPLATE, synced_at=timezone.now())
    responses.get(f"{telnyx_base}/ai/conversations/insights/{TID}", status=503)
    page = team_admin_client.get(reverse("insights:template-detail", args=[TID])).content.decode()
    assert "Showing the cached copy" in page and "Cached words" in page
