"""The assistants slice end to end over real HTTP against the sandbox (live server)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assistants.models import Assistant
from inference.models import LanguageModel
from portal.models import AuditEvent, SyncState
from portal.telnyx import NotFoundError, get_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(sandbox):
    call_command("sandbox_seed", "--demo", verbosity=0)
    return sandbox


def refresh(client):
    return client.post(reverse("assistants:assistant-refresh"), headers={"HX-Request": "true"})


def test_refresh_loads_the_demo_assistants_from_the_sandbox(viewer_client, demo):
    response = refresh(viewer_client)
    assert response.status_code == 200
    names = set(Assistant.objects.values_list("name", flat=True))
    assert len(names) >= 5
    some = sorted(names)[0]
    assert some.encode() in viewer_client.get(reverse("assistants:assistant-list")).content


def test_create_then_detail_then_delete_round_trip(team_admin_client, demo):
    model = get_client().get("ai/openai/models").data["data"][0]["id"]
    form = team_admin_client.get(reverse("assistants:assistant-add"))
    assert model.encode() in form.content  # the catalogue came from the sandbox
    response = team_admin_client.post(
        reverse("assistants:assistant-add"),
        {"name": "Integration bot", "model": model, "instructions": "Answer in one line.", "tags": "qa",
         "idempotency_key": form.context["form"].initial["idempotency_key"]},
    )
    assert response.status_code == 302
    created = Assistant.objects.get(name="Integration bot")
    assert get_client().get(f"ai/assistants/{created.telnyx_id}").data["instructions"] == "Answer in one line."

    detail = team_admin_client.get(response.url)
    assert b"Answer in one line." in detail.content and b"stale-banner" not in detail.content

    deleted = team_admin_client.post(reverse("assistants:assistant-delete", args=[created.telnyx_id]), follow=True)
    assert b"Deleted assistant" in deleted.content
    with pytest.raises(NotFoundError):
        get_client().get(f"ai/assistants/{created.telnyx_id}")
    actions = list(AuditEvent.objects.filter(resource_id=created.telnyx_id).values_list("action", "telnyx_status"))
    assert sorted(actions) == [("create", 200), ("delete", 200)]
    assert all(e.telnyx_request_id for e in AuditEvent.objects.all())


def test_resubmitting_the_same_form_does_not_create_a_twin(team_admin_client, demo):
    model = get_client().get("ai/openai/models").data["data"][0]["id"]
    data = {"name": "Only once", "model": model, "instructions": "x", "idempotency_key": "portal-fixed-key-1"}
    team_admin_client.post(reverse("assistants:assistant-add"), data)
    team_admin_client.post(reverse("assistants:assistant-add"), data)
    names = [a["name"] for a in get_client().get("ai/assistants").data["data"]]
    assert names.count("Only once") == 1


def test_with_telnyx_failing_the_list_detail_and_create_degrade_clearly(team_admin_client, demo, settings):
    refresh(team_admin_client)
    cached_count = Assistant.objects.count()
    row = Assistant.objects.order_by("name").first()
    settings.SANDBOX_FAULTS = "status=503"

    table = refresh(team_admin_client)
    assert b"Refresh failed, showing the cached list" in table.content and row.name.encode() in table.content
    assert Assistant.objects.count() == cached_count

    detail = team_admin_client.get(reverse("assistants:assistant-detail", args=[row.telnyx_id]))
    assert detail.status_code == 200
    assert b"Showing the cached copy" in detail.content and b"503" in detail.content

    LanguageModel.objects.create(telnyx_id="cached/model", synced_at=timezone.now())
    SyncState.objects.update_or_create(resource="models", defaults={"synced_at": timezone.now()})
    created = team_admin_client.post(
        reverse("assistants:assistant-add"), {"name": "Kept name", "model": "cached/model", "instructions": "Kept text"}
    )
    assert created.status_code == 200
    assert b"server error (503)" in created.content
    assert b'value="Kept name"' in created.content and b"Kept text" in created.content
    assert AuditEvent.objects.filter(outcome="failure", telnyx_status=503).exists()


def test_a_422_from_telnyx_lands_on_the_model_field(team_admin_client, demo):
    # The cached catalogue still lists a model Telnyx has since retired.
    LanguageModel.objects.create(telnyx_id="retired/old-model", synced_at=timezone.now())
    SyncState.objects.update_or_create(resource="models", defaults={"synced_at": timezone.now()})
    response = team_admin_client.post(
        reverse("assistants:assistant-add"), {"name": "Bot", "model": "retired/old-model", "instructions": "Hi"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Unknown model 'retired/old-model'" in errors["model"][0]
    assert not Assistant.objects.filter(name="Bot").exists()


def test_a_wrong_api_key_is_reported_as_such(viewer_client, demo, settings):
    refresh(viewer_client)
    row = Assistant.objects.first()
    settings.TELNYX_API_KEY = "KEYwrong_key_for_this_test"  # the sandbox accepts only its own key
    response = viewer_client.get(reverse("assistants:assistant-detail", args=[row.telnyx_id]))
    assert response.status_code == 200  # the cached copy, under a banner naming the cause
    assert b"rejected the API key (401)" in response.content
    table = refresh(viewer_client)
    assert b"rejected the API key (401)" in table.content
