"""Assistant services: Telnyx is mocked with `responses`; the database is real."""

from __future__ import annotations

import pytest
import responses
from django.core.exceptions import PermissionDenied

from assistants.models import Assistant
from assistants.services import assistants as services
from portal.models import AuditEvent, SyncState
from portal.telnyx import InternalServerError, UnprocessableEntityError

pytestmark = pytest.mark.django_db


@responses.activate
def test_sync_replaces_the_cache_with_telnyx_list(telnyx_base, assistant_json):
    Assistant.objects.create(telnyx_id="gone-upstream", name="Old", synced_at="2026-01-01T00:00:00Z")
    responses.get(f"{telnyx_base}/ai/assistants", json={"data": [assistant_json(1), assistant_json(2, tags=["sales", "vip"])]})

    outcome = services.assistants_sync()

    assert outcome.ok and outcome.count == 2
    assert sorted(Assistant.objects.values_list("name", flat=True)) == ["Support bot 1", "Support bot 2"]
    second = Assistant.objects.get(name="Support bot 2")
    assert second.tags == ["sales", "vip"] and second.tags_index == "|sales|vip|"
    assert SyncState.objects.get(resource="assistants").synced_at is not None


@responses.activate
def test_failed_sync_keeps_the_old_cache_and_records_the_error(telnyx_base, assistant_json):
    services.assistant_cache_put(assistant_json(1))
    responses.get(f"{telnyx_base}/ai/assistants", status=503, json={"errors": [{"title": "Unavailable"}]})

    outcome = services.assistants_sync()

    assert outcome.ran and isinstance(outcome.error, InternalServerError)
    assert list(Assistant.objects.values_list("name", flat=True)) == ["Support bot 1"]
    state = SyncState.objects.get(resource="assistants")
    assert "503" in state.last_error and state.lease_until is None


@responses.activate
def test_sync_is_skipped_while_another_server_holds_the_lease(telnyx_base):
    from core.sync import acquire_lease

    assert acquire_lease("assistants")
    outcome = services.assistants_sync()
    assert not outcome.ran
    assert len(responses.calls) == 0


@responses.activate
def test_create_posts_with_idempotency_key_caches_and_audits(telnyx_base, team_admin, assistant_json):
    created = assistant_json(7, name="Booking bot")
    responses.post(f"{telnyx_base}/ai/assistants", json=created, headers={"x-request-id": "req-create"})

    result = services.assistant_create(
        user=team_admin,
        data={"name": "Booking bot", "model": "m", "instructions": "Book things", "tags": []},
        idempotency_key="portal-abc",
    )

    sent = responses.calls[0].request
    assert sent.headers["Idempotency-Key"] == "portal-abc"
    assert b'"tags"' not in sent.body  # empty values are not sent
    assert result["id"] == created["id"]
    assert Assistant.objects.get(telnyx_id=created["id"]).name == "Booking bot"
    event = AuditEvent.objects.get()
    assert (event.action, event.resource_id, event.username) == ("create", created["id"], team_admin.username)
    assert (event.telnyx_status, event.telnyx_request_id, event.outcome) == (200, "req-create", "success")
    assert event.changes["name"] == {"before": None, "after": "Booking bot"}


@responses.activate
def test_failed_create_is_audited_as_failure_and_caches_nothing(telnyx_base, team_admin):
    responses.post(
        f"{telnyx_base}/ai/assistants",
        status=422,
        json={"errors": [{"code": "10002", "title": "Invalid", "detail": "Unknown model", "source": {"pointer": "/model"}}]},
    )
    with pytest.raises(UnprocessableEntityError):
        services.assistant_create(user=team_admin, data={"name": "X", "model": "nope", "instructions": "i"})
    assert not Assistant.objects.exists()
    event = AuditEvent.objects.get()
    assert event.outcome == "failure" and event.telnyx_status == 422 and "Unknown model" in event.error_message


def test_viewer_cannot_create_even_bypassing_views(viewer):
    with pytest.raises(PermissionDenied):
        services.assistant_create(user=viewer, data={"name": "X", "instructions": "i"})


@responses.activate
def test_delete_removes_from_cache_and_audits(telnyx_base, team_admin, assistant_json):
    row = services.assistant_cache_put(assistant_json(3))
    responses.delete(f"{telnyx_base}/ai/assistants/{row.telnyx_id}", json={"id": row.telnyx_id, "deleted": True, "object": "assistant"})

    assert services.assistant_delete(user=team_admin, assistant_id=row.telnyx_id) is True
    assert not Assistant.objects.exists()
    assert AuditEvent.objects.get().summary.startswith("Deleted assistant")


@responses.activate
def test_failed_delete_keeps_the_cached_row(telnyx_base, team_admin, assistant_json):
    row = services.assistant_cache_put(assistant_json(3))
    responses.delete(f"{telnyx_base}/ai/assistants/{row.telnyx_id}", status=500)
    with pytest.raises(InternalServerError):
        services.assistant_delete(user=team_admin, assistant_id=row.telnyx_id)
    assert Assistant.objects.filter(telnyx_id=row.telnyx_id).exists()
    assert AuditEvent.objects.get().outcome == "failure"


@responses.activate
def test_fetch_falls_back_to_cache_when_telnyx_fails(telnyx_base, viewer, assistant_json):
    row = services.assistant_cache_put(assistant_json(4))
    responses.get(f"{telnyx_base}/ai/assistants/{row.telnyx_id}", status=503)
    result = services.assistant_fetch(user=viewer, assistant_id=row.telnyx_id)
    assert result.from_cache and result.data["name"] == "Support bot 4"
    assert isinstance(result.error, InternalServerError)


@responses.activate
def test_fetch_updates_the_cache_from_telnyx(telnyx_base, viewer, assistant_json):
    row = services.assistant_cache_put(assistant_json(4))
    responses.get(f"{telnyx_base}/ai/assistants/{row.telnyx_id}", json=assistant_json(4, name="Renamed upstream"))
    result = services.assistant_fetch(user=viewer, assistant_id=row.telnyx_id)
    assert not result.from_cache
    row.refresh_from_db()
    assert row.name == "Renamed upstream"


def test_audit_redacts_secret_looking_fields():
    from core.audit import diff

    changes = diff({"name": "a"}, {"name": "b", "llm_api_key_ref": "my-key", "voice_settings": {"api_key_ref": "k"}})
    assert changes["llm_api_key_ref"]["after"] == "[redacted]"
    assert changes["voice_settings"]["after"] == {"api_key_ref": "[redacted]"}
