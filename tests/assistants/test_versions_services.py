"""Version services: the per-assistant cache, edits, deletes, promotion and rollback."""

from __future__ import annotations

import json

import pytest
import responses
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from assistants.models import Assistant, AssistantVersion, PromotionRecord
from assistants.services import assistants as assistant_services
from assistants.services import canary as canary_services
from assistants.services import versions as services
from portal.models import AuditEvent
from portal.telnyx import ConflictError, InternalServerError

pytestmark = pytest.mark.django_db

AID = "assistant-00000001-0000-4000-8000-000000000000"


@pytest.fixture
def three_versions(rich_assistant, version_json):
    staged = version_json(rich_assistant, "v-staged", "staged", instructions="Staged words.")
    old = version_json(rich_assistant, "v-old", "old", instructions="Old words.", version_created_at="2026-11-01T10:00:00Z")
    return rich_assistant, staged, old


def mock_versions(base, assistant, versions):
    responses.get(f"{base}/ai/assistants/{AID}", json=assistant)
    responses.get(f"{base}/ai/assistants/{AID}/versions", json={"data": versions})


@responses.activate
def test_sync_caches_versions_marks_main_and_replaces_only_this_assistants(telnyx_base, viewer, three_versions):
    main, staged, old = three_versions
    AssistantVersion.objects.create(telnyx_id=f"{AID}:v-pruned", assistant_id=AID, version_id="v-pruned", synced_at=timezone.now())
    AssistantVersion.objects.create(telnyx_id="other:v-1", assistant_id="other", version_id="v-1", synced_at=timezone.now())
    mock_versions(telnyx_base, main, [staged, main, old])

    outcome = services.versions_sync(user=viewer, assistant_id=AID)

    assert outcome.ok and outcome.count == 3
    rows = {v.version_id: v for v in AssistantVersion.objects.filter(assistant_id=AID)}
    assert set(rows) == {"v-main", "v-staged", "v-old"}  # the pruned one is gone
    assert rows["v-main"].is_main and not rows["v-staged"].is_main and rows["v-staged"].name == "staged"
    assert AssistantVersion.objects.filter(assistant_id="other").exists()


@responses.activate
def test_failed_sync_keeps_the_cached_versions(telnyx_base, viewer, three_versions):
    main, staged, _ = three_versions
    services.version_cache_put(staged, assistant_id=AID, main_version_id="v-main")
    responses.get(f"{telnyx_base}/ai/assistants/{AID}", json=main)
    responses.get(f"{telnyx_base}/ai/assistants/{AID}/versions", status=503)
    outcome = services.versions_sync(user=viewer, assistant_id=AID)
    assert isinstance(outcome.error, InternalServerError)
    assert AssistantVersion.objects.filter(version_id="v-staged").exists()


@responses.activate
def test_version_update_posts_to_the_version_and_audits(telnyx_base, team_admin, three_versions):
    _, staged, _ = three_versions
    services.version_cache_put(staged, assistant_id=AID, main_version_id="v-main")
    responses.post(f"{telnyx_base}/ai/assistants/{AID}/versions/v-staged", json={**staged, "instructions": "Better."})

    services.version_update(user=team_admin, assistant_id=AID, version_id="v-staged",
                            changes={"instructions": "Better."}, before=staged)

    assert json.loads(responses.calls[0].request.body) == {"instructions": "Better."}
    assert AssistantVersion.objects.get(version_id="v-staged").payload["instructions"] == "Better."
    event = AuditEvent.objects.get()
    # Logged on the assistant, so its History tab shows version edits too.
    assert (event.action, event.resource_type, event.resource_id) == ("update version", "assistant", AID)
    assert event.changes["instructions"]["after"] == "Better."


@responses.activate
def test_failed_version_delete_keeps_the_row_and_is_audited(telnyx_base, team_admin, three_versions):
    _, staged, _ = three_versions
    services.version_cache_put(staged, assistant_id=AID, main_version_id="v-main")
    responses.delete(f"{telnyx_base}/ai/assistants/{AID}/versions/v-staged", status=409,
                     json={"errors": [{"title": "Conflict", "detail": "Referenced by the canary deploy"}]})
    with pytest.raises(ConflictError):
        services.version_delete(user=team_admin, assistant_id=AID, version_id="v-staged")
    assert AssistantVersion.objects.filter(version_id="v-staged").exists()
    assert "Referenced by the canary deploy" in AuditEvent.objects.get(outcome="failure").error_message


@responses.activate
def test_version_delete_drops_the_row(telnyx_base, team_admin, three_versions):
    _, staged, _ = three_versions
    services.version_cache_put(staged, assistant_id=AID, main_version_id="v-main")
    responses.delete(f"{telnyx_base}/ai/assistants/{AID}/versions/v-staged", status=204)
    services.version_delete(user=team_admin, assistant_id=AID, version_id="v-staged")
    assert not AssistantVersion.objects.exists()
    assert AuditEvent.objects.get().summary.startswith("Deleted version")


@responses.activate
def test_promote_makes_it_main_remembers_the_previous_and_rollback_returns_to_it(telnyx_base, team_admin, three_versions):
    main, staged, _ = three_versions
    assistant_services.assistant_cache_put(main)
    for version in (main, staged):
        services.version_cache_put(version, assistant_id=AID, main_version_id="v-main")
    responses.post(f"{telnyx_base}/ai/assistants/{AID}/versions/v-staged/promote", json=staged)
    responses.post(f"{telnyx_base}/ai/assistants/{AID}/versions/v-main/promote", json=main)

    services.version_promote(user=team_admin, assistant_id=AID, version_id="v-staged", from_version_id="v-main")

    assert Assistant.objects.get(telnyx_id=AID).version_id == "v-staged"
    assert AssistantVersion.objects.get(version_id="v-staged").is_main
    assert not AssistantVersion.objects.get(version_id="v-main").is_main
    target = services.rollback_target(assistant_id=AID, main_version_id="v-staged")
    assert target.from_version_id == "v-main"

    services.version_rollback(user=team_admin, assistant_id=AID, main_version_id="v-staged")

    assert responses.calls[-1].request.url.endswith("/versions/v-main/promote")
    assert Assistant.objects.get(telnyx_id=AID).version_id == "v-main"
    assert list(PromotionRecord.objects.values_list("kind", flat=True)) == ["rollback", "promote"]
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == ["promote", "rollback"]
    # Rolling back twice would undo the rollback: offered again, towards the promoted version.
    assert services.rollback_target(assistant_id=AID, main_version_id="v-main").from_version_id == "v-staged"


@responses.activate
def test_failed_promote_changes_nothing_and_is_audited(telnyx_base, team_admin, three_versions):
    main, _, _ = three_versions
    assistant_services.assistant_cache_put(main)
    responses.post(f"{telnyx_base}/ai/assistants/{AID}/versions/v-staged/promote", status=503)
    with pytest.raises(InternalServerError):
        services.version_promote(user=team_admin, assistant_id=AID, version_id="v-staged", from_version_id="v-main")
    assert Assistant.objects.get(telnyx_id=AID).version_id == "v-main"
    assert not PromotionRecord.objects.exists()
    event = AuditEvent.objects.get()
    assert (event.action, event.outcome) == ("promote", "failure")


def test_no_rollback_without_a_recorded_promotion():
    assert services.rollback_target(assistant_id=AID, main_version_id="v-main") is None


@responses.activate
def test_canary_fetch_reads_the_split_and_says_when_there_is_none(telnyx_base, viewer):
    responses.get(f"{telnyx_base}/ai/assistants/{AID}/canary-deploys",
                  json={"rules": [{"serve": {"rollout": [{"version_id": "v-staged", "weight": 20}]}}]})
    canary = canary_services.canary_fetch(user=viewer, assistant_id=AID)
    assert canary.exists and canary.splits == [("v-staged", 20)] and canary.version_ids == {"v-staged"}
    responses.replace(responses.GET, f"{telnyx_base}/ai/assistants/{AID}/canary-deploys", status=404)
    gone = canary_services.canary_fetch(user=viewer, assistant_id=AID)
    assert not gone.exists and gone.rules == [] and gone.splits == []


def test_viewer_cannot_promote_roll_back_edit_or_delete(viewer):
    for call in (
        lambda: services.version_promote(user=viewer, assistant_id=AID, version_id="v", from_version_id="m"),
        lambda: services.version_rollback(user=viewer, assistant_id=AID, main_version_id="m"),
        lambda: services.version_update(user=viewer, assistant_id=AID, version_id="v", changes={}, before={}),
        lambda: services.version_delete(user=viewer, assistant_id=AID, version_id="v"),
    ):
        with pytest.raises(PermissionDenied):
            call()
