"""Every assistant, however many: Telnyx answers at most 100 a page, and so does the sandbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assistants.models import Assistant
from assistants.services import assistants as services
from portal.models import SyncState
from portal.telnyx import APIConnectionError, get_client
from portal.telnyx.resources import tags as tags_api
from sandbox.behaviour.assistants import assistant_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def many_assistants(sandbox):
    start = timezone.now() - timedelta(days=1)
    for n in range(250):
        assistant_create(config={"name": f"Paged {n:03d}", "instructions": "Hi."},
                         created_at=start + timedelta(seconds=n))


def test_the_sandbox_answers_a_hundred_a_page_with_meta(many_assistants):
    first = get_client().get("ai/assistants").data
    assert len(first["data"]) == 100
    assert first["meta"] == {"page_number": 1, "page_size": 100, "total_pages": 3, "total_results": 250}
    # Asking for more than Telnyx gives still gets 100, and meta says so.
    last = get_client().get("ai/assistants", params={"page[size]": 250, "page[number]": 3}).data
    assert len(last["data"]) == 50 and last["meta"]["page_size"] == 100


def test_a_sync_holds_all_250_and_the_listing_says_so(many_assistants, viewer_client):
    outcome = services.assistants_sync()
    assert outcome.ok and outcome.count == 250
    assert Assistant.objects.count() == 250
    assert set(Assistant.objects.values_list("name", flat=True)) == {f"Paged {n:03d}" for n in range(250)}
    assert SyncState.objects.get(resource="assistants").item_count == 250
    page = viewer_client.get(reverse("assistants:assistant-list")).content.decode()
    assert "250 held" in page


def test_tags_from_telnyx_feed_the_tag_filter_and_the_editor(sandbox, viewer_client, team_admin_client, monkeypatch):
    created = assistant_create(config={"name": "Tagged", "instructions": "Hi.", "tags": ["support"]})
    get_client().post(f"ai/assistants/{created.id}/tags", json={"tag": "billing"})
    assert services.assistants_sync().ok
    listing = viewer_client.get(reverse("assistants:assistant-list"))
    assert ("billing", "billing") in listing.context["cl"].form.fields["tag"].choices
    form = team_admin_client.get(reverse("assistants:assistant-add")).context["form"]
    assert "In use: billing, support" in form.fields["tags"].help_text
    # A failed tag read keeps what was known; the assistants still sync.
    def failing():
        raise APIConnectionError(method="GET", path="ai/assistants/tags")

    monkeypatch.setattr(tags_api, "list_all", failing)
    assert services.assistants_sync().ok
    assert "In use: billing, support" in team_admin_client.get(reverse("assistants:assistant-add")).context["form"].fields["tags"].help_text
