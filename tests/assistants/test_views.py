"""Assistant pages, with Telnyx mocked by `responses` (the sandbox is covered elsewhere)."""

from __future__ import annotations

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from assistants.models import Assistant
from assistants.services import assistants as services
from inference.models import LanguageModel
from portal.models import AuditEvent, SyncState

pytestmark = pytest.mark.django_db

LIST = reverse("assistants:assistant-list")


@pytest.fixture
def cached(assistant_json):
    """Twelve cached assistants, freshly synced (so no auto-refresh fires)."""
    for n in range(1, 13):
        services.assistant_cache_put(
            assistant_json(
                n,
                name=f"Bot {n:02d}",
                model="m-large" if n % 2 else "m-small",
                tags=["sales"] if n <= 3 else ["support"],
                instructions="Speak Spanish" if n == 5 else "Be brief",
            )
        )
    SyncState.objects.create(resource="assistants", synced_at=timezone.now(), item_count=12)


@pytest.fixture
def catalogue():
    LanguageModel.objects.create(telnyx_id="m-large", synced_at=timezone.now(), recommended_for_assistants=True)
    LanguageModel.objects.create(telnyx_id="m-small", synced_at=timezone.now())
    SyncState.objects.create(resource="models", synced_at=timezone.now())


@responses.activate
def test_list_renders_from_cache_without_calling_telnyx(viewer_client, cached):
    response = viewer_client.get(LIST)
    assert response.status_code == 200
    assert b"Bot 01" in response.content and b"12 results" in response.content
    assert len(responses.calls) == 0
    assert b"Synced" in response.content


def test_search_matches_name_id_and_instructions(viewer_client, cached):
    assert b"Bot 05" in viewer_client.get(LIST, {"q": "spanish"}).content
    content = viewer_client.get(LIST, {"q": "spanish"}).content
    assert b"Bot 04" not in content and b"1 result" in content
    assert b"Bot 07" in viewer_client.get(LIST, {"q": "assistant-00000007"}).content


def test_filter_by_model_and_tag(viewer_client, cached):
    content = viewer_client.get(LIST, {"model": "m-small", "tag": "sales"}).content.decode()
    assert "Bot 02" in content and "1 result" in content and "Bot 01" not in content


def test_sort_by_name_descending_and_pagination_keeps_state(viewer_client, cached, settings):
    content = viewer_client.get(LIST, {"sort": "-name"}).content.decode()
    assert content.index("Bot 12") < content.index("Bot 01")


def test_bad_query_parameters_do_not_break_the_page(viewer_client, cached):
    response = viewer_client.get(LIST, {"sort": "password", "page": "999", "model": "no-such-model"})
    assert response.status_code == 200
    assert b"were not valid and were ignored" in response.content
    assert b"Bot 01" in response.content  # falls back to the default sort and the last page


def test_htmx_request_gets_only_the_table_fragment(viewer_client, cached):
    response = viewer_client.get(LIST, {"q": "Bot"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b'id="changelist-table"' in response.content
    assert b"<html" not in response.content and b"sidebar" not in response.content


def test_stale_cache_renders_at_once_and_asks_htmx_to_refresh(viewer_client, assistant_json):
    services.assistant_cache_put(assistant_json(1))
    response = viewer_client.get(LIST)
    assert b"Support bot 1" in response.content
    assert b'data-testid="auto-refresh"' in response.content


@responses.activate
def test_refresh_swaps_the_table_with_telnyx_data(viewer_client, telnyx_base, assistant_json):
    responses.get(f"{telnyx_base}/ai/assistants", json={"data": [assistant_json(1, name="Fresh from Telnyx")]})
    response = viewer_client.post(reverse("assistants:assistant-refresh"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"Fresh from Telnyx" in response.content and b"<html" not in response.content


@responses.activate
def test_refresh_failure_shows_banner_and_keeps_cache(viewer_client, telnyx_base, cached):
    responses.get(f"{telnyx_base}/ai/assistants", status=503)
    response = viewer_client.post(reverse("assistants:assistant-refresh"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"Refresh failed, showing the cached list" in response.content
    assert b"Bot 01" in response.content
    assert Assistant.objects.count() == 12


@responses.activate
def test_detail_is_fetched_live(viewer_client, telnyx_base, assistant_json):
    data = assistant_json(1, name="Live name", instructions="Live instructions")
    responses.get(f"{telnyx_base}/ai/assistants/{data['id']}", json=data)
    response = viewer_client.get(reverse("assistants:assistant-detail", args=[data["id"]]))
    assert response.status_code == 200
    assert b"Live instructions" in response.content
    assert b"stale-banner" not in response.content


@responses.activate
def test_detail_falls_back_to_cache_under_a_banner(viewer_client, telnyx_base, cached):
    row = Assistant.objects.get(name="Bot 03")
    responses.get(f"{telnyx_base}/ai/assistants/{row.telnyx_id}", status=503)
    response = viewer_client.get(reverse("assistants:assistant-detail", args=[row.telnyx_id]))
    assert response.status_code == 200
    assert b"Showing the cached copy" in response.content and b"Bot 03" in response.content
    assert b"server error (503)" in response.content


@responses.activate
def test_detail_of_unknown_assistant_is_a_clear_404(viewer_client, telnyx_base):
    responses.get(f"{telnyx_base}/ai/assistants/nope", status=404, json={"errors": [{"title": "Not found"}]})
    response = viewer_client.get(reverse("assistants:assistant-detail", args=["nope"]))
    assert response.status_code == 404
    assert b"Telnyx has no such object" in response.content


@responses.activate
def test_detail_with_telnyx_down_and_nothing_cached_is_a_clear_page_not_a_500(viewer_client, telnyx_base):
    responses.get(f"{telnyx_base}/ai/assistants/x", body=__import__("requests").exceptions.ConnectionError())
    response = viewer_client.get(reverse("assistants:assistant-detail", args=["x"]))
    assert response.status_code == 502
    assert b"Could not reach Telnyx" in response.content


@responses.activate
def test_create_success_redirects_to_detail(team_admin_client, telnyx_base, catalogue, assistant_json):
    created = assistant_json(9, name="New bot")
    responses.post(f"{telnyx_base}/ai/assistants", json=created)
    form = team_admin_client.get(reverse("assistants:assistant-add"))
    key = form.context["form"].initial["idempotency_key"]
    response = team_admin_client.post(
        reverse("assistants:assistant-add"),
        {"name": "New bot", "model": "m-large", "instructions": "Hi", "tags": "a, b, a", "idempotency_key": key},
    )
    assert response.status_code == 302 and response.url == reverse("assistants:assistant-detail", args=[created["id"]])
    assert responses.calls[0].request.headers["Idempotency-Key"] == key
    assert b'"tags": ["a", "b"]' in responses.calls[0].request.body


def test_create_with_missing_fields_shows_field_errors_and_keeps_values(team_admin_client, catalogue):
    response = team_admin_client.post(reverse("assistants:assistant-add"), {"name": "Keep me", "model": "m-large"})
    assert response.status_code == 200
    assert response.context["form"].errors["instructions"] == ["This field is required."]
    assert b'value="Keep me"' in response.content


@responses.activate
def test_create_422_lands_on_the_right_field(team_admin_client, telnyx_base, catalogue):
    responses.post(
        f"{telnyx_base}/ai/assistants",
        status=422,
        json={"errors": [{"code": "10032", "title": "Invalid value", "detail": "Instructions are too long", "source": {"pointer": "/instructions"}}]},
    )
    response = team_admin_client.post(reverse("assistants:assistant-add"), {"name": "Bot", "model": "m-large", "instructions": "x" * 50})
    assert response.status_code == 200
    assert response.context["form"].errors["instructions"] == ["Instructions are too long"]
    assert b"x" * 50 in response.content


@responses.activate
def test_create_with_telnyx_down_says_so_and_keeps_values(team_admin_client, telnyx_base, catalogue):
    responses.post(f"{telnyx_base}/ai/assistants", status=503)
    response = team_admin_client.post(reverse("assistants:assistant-add"), {"name": "Keep me", "model": "m-large", "instructions": "Mine"})
    assert response.status_code == 200
    assert b"server error (503)" in response.content and b'value="Keep me"' in response.content
    assert not Assistant.objects.exists()


@responses.activate
def test_create_form_lets_admin_type_a_model_when_catalogue_is_unreachable(team_admin_client, telnyx_base):
    responses.get(f"{telnyx_base}/ai/openai/models", status=503)
    response = team_admin_client.get(reverse("assistants:assistant-add"))
    assert response.status_code == 200
    assert b"catalogue could not be loaded" in response.content


@responses.activate
def test_delete_confirmation_then_delete(team_admin_client, telnyx_base, cached):
    row = Assistant.objects.get(name="Bot 04")
    confirm = team_admin_client.get(reverse("assistants:assistant-delete", args=[row.telnyx_id]))
    assert b"Delete \xe2\x80\x9cBot 04\xe2\x80\x9d?" in confirm.content and b"30 days" in confirm.content
    responses.delete(f"{telnyx_base}/ai/assistants/{row.telnyx_id}", json={"id": row.telnyx_id, "deleted": True, "object": "assistant"})
    response = team_admin_client.post(reverse("assistants:assistant-delete", args=[row.telnyx_id]), follow=True)
    assert b"Deleted assistant" in response.content
    assert not Assistant.objects.filter(pk=row.pk).exists()


def test_back_to_list_keeps_the_filters(viewer_client, cached):
    viewer_client.get(LIST, {"tag": "sales", "sort": "-name"})
    row = Assistant.objects.get(name="Bot 02")
    response = viewer_client.get(reverse("assistants:assistant-history", args=[row.telnyx_id]))
    assert b'href="/assistants/?tag=sales&amp;sort=-name"' in response.content


@pytest.mark.parametrize(
    "method, name",
    [
        ("get", "assistants:assistant-add"),
        ("post", "assistants:assistant-add"),
        ("get", "assistants:assistant-delete"),
        ("post", "assistants:assistant-delete"),
    ],
)
def test_viewer_and_operator_get_403_on_writes(viewer_client, operator_client, cached, method, name):
    row = Assistant.objects.first()
    url = reverse(name, args=[row.telnyx_id] if name.endswith("delete") else [])
    for client in (viewer_client, operator_client):
        assert getattr(client, method)(url).status_code == 403
    assert Assistant.objects.count() == 12


def test_history_lists_the_objects_audit_events(viewer_client, cached, team_admin):
    row = Assistant.objects.first()
    AuditEvent.objects.create(
        user=team_admin,
        username=team_admin.username,
        action="update",
        resource_type="assistant",
        resource_id=row.telnyx_id,
        summary="Renamed it",
        telnyx_status=200,
    )
    AuditEvent.objects.create(action="update", resource_type="assistant", resource_id="other", summary="Not this one")
    content = viewer_client.get(reverse("assistants:assistant-history", args=[row.telnyx_id])).content
    assert b"Renamed it" in content and b"Not this one" not in content


@responses.activate
def test_refresh_while_another_server_syncs_waits_and_polls_again(viewer_client, telnyx_base, assistant_json):
    from core.sync import acquire_lease

    acquire_lease("assistants")
    response = viewer_client.post(reverse("assistants:assistant-refresh"), headers={"HX-Request": "true"})
    assert b"this list updates when it finishes" in response.content
    assert b'hx-trigger="load delay:1500ms"' in response.content
    assert len(responses.calls) == 0


@responses.activate
def test_automatic_refresh_skips_the_sync_when_the_cache_became_fresh(viewer_client, telnyx_base, cached):
    response = viewer_client.post(reverse("assistants:assistant-refresh"), {"if_stale": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"Bot 01" in response.content
    assert len(responses.calls) == 0


def test_history_includes_canary_deploy_changes(viewer_client, cached, team_admin):
    row = Assistant.objects.first()
    AuditEvent.objects.create(
        user=team_admin,
        username=team_admin.username,
        action="save",
        resource_type="canary_deploy",
        resource_id=row.telnyx_id,
        summary="Saved the canary split",
    )
    content = viewer_client.get(reverse("assistants:assistant-history", args=[row.telnyx_id])).content
    assert b"Saved the canary split" in content


@responses.activate
def test_bulk_delete_lists_what_it_touches_then_deletes_each(team_admin_client, telnyx_base, cached):
    chosen = list(Assistant.objects.filter(name__in=["Bot 02", "Bot 03"]).values_list("telnyx_id", flat=True))
    confirm = team_admin_client.get(reverse("assistants:assistant-bulk-delete"), {"id": chosen})
    assert b"Delete 2 assistants?" in confirm.content and b"Bot 02" in confirm.content and b"Bot 05" not in confirm.content
    responses.delete(f"{telnyx_base}/ai/assistants/{chosen[0]}", json={"id": chosen[0], "deleted": True, "object": "assistant"})
    responses.delete(f"{telnyx_base}/ai/assistants/{chosen[1]}", status=503)
    result = team_admin_client.post(reverse("assistants:assistant-bulk-delete"), {"id": chosen}, follow=True)
    text = result.content.decode()
    assert "Deleted 1 assistant;" in text and "Could not delete" in text
    assert not Assistant.objects.filter(telnyx_id=chosen[0]).exists()
    assert Assistant.objects.filter(telnyx_id=chosen[1]).exists()  # the failed one stays cached


def test_bulk_delete_is_admin_only_and_needs_a_selection(viewer_client, team_admin_client, cached):
    assert viewer_client.get(reverse("assistants:assistant-bulk-delete"), {"id": ["x"]}).status_code == 403
    response = team_admin_client.get(reverse("assistants:assistant-bulk-delete"), follow=True)
    assert b"Tick at least one assistant first" in response.content
    assert b'name="id"' in team_admin_client.get(LIST).content
    assert b'name="id"' not in viewer_client.get(LIST).content
