"""Clone, recently deleted + restore, import, and the delete page naming what is lost."""

from __future__ import annotations

import json

import pytest
import responses
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from assistants.models import Assistant
from assistants.services import assistants as assistant_services
from assistants.services import lifecycle
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

AID = "assistant-00000001-0000-4000-8000-000000000000"
CLONE_ID = "assistant-00000009-0000-4000-8000-000000000000"


@pytest.fixture
def acme(telnyx_base, rich_assistant):
    assistant_services.assistant_cache_put(rich_assistant)
    responses.get(f"{telnyx_base}/ai/assistants/{AID}", json=rich_assistant)
    return rich_assistant


@responses.activate
def test_clone_posts_with_an_idempotency_key_and_lands_on_the_clone(team_admin_client, acme, telnyx_base, assistant_json):
    clone = assistant_json(9, name="Support bot 1 (copy)")
    responses.post(f"{telnyx_base}/ai/assistants/{AID}/clone", json=clone)
    page = team_admin_client.get(reverse("assistants:assistant-clone", args=[AID]))
    assert "does not copy the telephony and messaging settings" in page.content.decode()
    key = page.context["form"].initial["idempotency_key"]

    response = team_admin_client.post(reverse("assistants:assistant-clone", args=[AID]), {"idempotency_key": key})

    assert responses.calls[-1].request.headers["Idempotency-Key"] == key
    assert response.url == reverse("assistants:assistant-detail", args=[CLONE_ID])
    assert Assistant.objects.filter(telnyx_id=CLONE_ID, name="Support bot 1 (copy)").exists()
    assert AuditEvent.objects.get(action="clone").resource_id == CLONE_ID


@responses.activate
def test_failed_clone_says_why_and_caches_nothing(team_admin_client, acme, telnyx_base):
    responses.post(f"{telnyx_base}/ai/assistants/{AID}/clone", status=503)
    response = team_admin_client.post(reverse("assistants:assistant-clone", args=[AID]), {"idempotency_key": "k"})
    assert "Could not clone “Support bot 1”. Telnyx had a server error (503)" in response.content.decode()
    assert Assistant.objects.count() == 1
    assert AuditEvent.objects.get().outcome == "failure"


@responses.activate
def test_deleted_list_pages_through_telnyx_and_restores(team_admin_client, telnyx_base, assistant_json):
    gone = {**assistant_json(5, name="Old bot"), "deleted_at": "2026-11-20T10:00:00Z",
            "permanently_deleted_at": "2026-12-20T10:00:00Z"}
    responses.get(f"{telnyx_base}/ai/assistants/deleted", json={
        "data": [gone], "meta": {"page_number": 2, "page_size": 20, "total_pages": 3, "total_results": 41}})
    content = team_admin_client.get(reverse("assistants:deleted-list"), {"page": "2"}).content.decode()
    assert "Old bot" in content and "page 2 of 3" in content and "?page=1" in content and "?page=3" in content
    assert "20 Nov 2026, 10:00" in content and "20 Dec 2026, 10:00" in content and "T10:00:00Z" not in content
    assert "page%5Bnumber%5D=2" in responses.calls[0].request.url

    responses.post(f"{telnyx_base}/ai/assistants/{gone['id']}/restore", json=assistant_json(5, name="Old bot"))
    response = team_admin_client.post(reverse("assistants:assistant-restore", args=[gone["id"]]), {"name": "Old bot"})
    assert response.url == reverse("assistants:assistant-detail", args=[gone["id"]])
    assert Assistant.objects.filter(telnyx_id=gone["id"]).exists()
    assert AuditEvent.objects.get(action="restore").outcome == "success"


@responses.activate
def test_a_huge_page_number_is_clamped_before_telnyx_and_shows_the_last_page(viewer_client, telnyx_base, assistant_json):
    gone = {**assistant_json(6, name="Last deleted bot"), "deleted_at": "2026-11-20T10:00:00Z"}
    responses.get(f"{telnyx_base}/ai/assistants/deleted", json={
        "data": [], "meta": {"page_number": 1000000, "page_size": 20, "total_pages": 2, "total_results": 21}})
    responses.get(f"{telnyx_base}/ai/assistants/deleted", json={
        "data": [gone], "meta": {"page_number": 2, "page_size": 20, "total_pages": 2, "total_results": 21}})

    response = viewer_client.get(reverse("assistants:deleted-list"), {"page": "99999999999"})

    assert response.status_code == 200 and "Last deleted bot" in response.content.decode()
    asked = [call.request.url for call in responses.calls]
    assert "page%5Bnumber%5D=1000000&" in asked[0] and "page%5Bnumber%5D=2&" in asked[1]


@responses.activate
def test_failed_restore_goes_back_to_the_list_with_the_reason(team_admin_client, telnyx_base):
    responses.post(f"{telnyx_base}/ai/assistants/gone-1/restore", status=404)
    responses.get(f"{telnyx_base}/ai/assistants/deleted", json={"data": [], "meta": {"total_pages": 1}})
    response = team_admin_client.post(reverse("assistants:assistant-restore", args=["gone-1"]), {"name": "Old bot"}, follow=True)
    assert "Could not restore “Old bot”. Telnyx has no such object (404)" in response.content.decode()
    assert not Assistant.objects.exists()


@responses.activate
def test_viewer_sees_deleted_assistants_but_no_restore_button(viewer_client, telnyx_base, assistant_json):
    responses.get(f"{telnyx_base}/ai/assistants/deleted", json={"data": [assistant_json(5, name="Old bot")], "meta": {}})
    content = viewer_client.get(reverse("assistants:deleted-list")).content.decode()
    assert "Old bot" in content and "Restore</button>" not in content


@responses.activate
def test_import_sends_provider_key_ref_and_ids_and_caches_what_came_back(team_admin_client, telnyx_base, assistant_json):
    responses.post(f"{telnyx_base}/ai/assistants/import", json={"data": [assistant_json(3, name="Concierge (vapi)")]})
    response = team_admin_client.post(reverse("assistants:assistant-import"), {
        "provider": "vapi", "api_key_ref": "vapi-secret", "import_ids": "a1, a2", "idempotency_key": "imp-1"}, follow=True)
    sent = responses.calls[-1].request
    assert json.loads(sent.body) == {"provider": "vapi", "api_key_ref": "vapi-secret", "import_ids": ["a1", "a2"]}
    assert sent.headers["Idempotency-Key"] == "imp-1"
    assert "Imported 1 assistant(s) from vapi: “Concierge (vapi)”." in response.content.decode()
    assert Assistant.objects.filter(name="Concierge (vapi)").exists()


@responses.activate
def test_rejected_import_puts_the_error_on_the_field_and_keeps_the_form(team_admin_client, telnyx_base):
    responses.post(f"{telnyx_base}/ai/assistants/import", status=422, json={"errors": [
        {"detail": "Unknown secret", "source": {"pointer": "/api_key_ref"}}]})
    response = team_admin_client.post(reverse("assistants:assistant-import"), {"provider": "retell", "api_key_ref": "nope"})
    assert response.context["form"].errors["api_key_ref"] == ["Unknown secret"]
    assert 'value="nope"' in response.content.decode()
    assert AuditEvent.objects.get().outcome == "failure"


@responses.activate
def test_delete_page_names_the_versions_and_canary_it_takes(team_admin_client, acme, telnyx_base):
    responses.get(f"{telnyx_base}/ai/assistants/{AID}/versions", json={"data": [acme, acme, acme]})
    responses.get(f"{telnyx_base}/ai/assistants/{AID}/canary-deploys",
                  json={"rules": [{"serve": {"rollout": [{"version_id": "v-2", "weight": 10}]}}]})
    content = team_admin_client.get(reverse("assistants:assistant-delete", args=[AID])).content.decode()
    impact = content.split('data-testid="delete-impact"')[1].split("</ul>")[0]
    assert "3 versions" in impact and "its canary deploy" in impact


def test_viewer_cannot_clone_restore_or_import(viewer):
    for call in (
        lambda: lifecycle.assistant_clone(user=viewer, assistant_id=AID),
        lambda: lifecycle.assistant_restore(user=viewer, assistant_id=AID),
        lambda: lifecycle.assistants_import(user=viewer, provider="vapi", api_key_ref="k", import_ids=[]),
    ):
        with pytest.raises(PermissionDenied):
            call()


@responses.activate
def test_raw_json_page_shows_the_whole_object_with_a_copy_button(viewer_client, acme):
    content = viewer_client.get(reverse("assistants:assistant-json", args=[AID])).content.decode()
    assert 'data-copy="#raw-json"' in content
    assert "&quot;widget_settings&quot;: {" in content and "&quot;theme&quot;: &quot;dark&quot;" in content
