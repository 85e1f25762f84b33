"""The Versions tab, compare, promote, roll back, edit and delete pages (Telnyx mocked)."""

from __future__ import annotations

import json

import pytest
import responses
from django.urls import reverse

from assistants.models import Assistant, AssistantVersion, PromotionRecord
from assistants.services import assistants as assistant_services
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

AID = "assistant-00000001-0000-4000-8000-000000000000"
CANARY = {"rules": [{"serve": {"rollout": [{"version_id": "v-staged", "weight": 20}]}}]}


@pytest.fixture
def api(telnyx_base, rich_assistant, version_json, model_catalogue):
    """Telnyx with a main version, a staged one (in a 20% canary) and an old one."""
    main = rich_assistant
    staged = version_json(main, "v-staged", "empathy", instructions="You are support bot number 1.\nBe kind.",
                          voice_settings={"voice": "Telnyx.Other", "temperature": 0.7})
    old = version_json(main, "v-old", "old", version_created_at="2026-11-01T10:00:00Z")
    assistant_services.assistant_cache_put(main)
    responses.get(f"{telnyx_base}/ai/assistants/{AID}", json=main)
    responses.get(f"{telnyx_base}/ai/assistants/{AID}/versions", json={"data": [staged, main, old]})
    for version in (main, staged, old):
        responses.get(f"{telnyx_base}/ai/assistants/{AID}/versions/{version['version_id']}", json=version)
    responses.get(f"{telnyx_base}/ai/assistants/{AID}/canary-deploys", json=CANARY)
    return {"main": main, "staged": staged, "old": old, "base": telnyx_base}


def posts():
    return [c for c in responses.calls if c.request.method == "POST"]


@responses.activate
def test_versions_tab_lists_versions_with_main_and_canary(viewer_client, api):
    content = viewer_client.get(reverse("assistants:version-list", args=[AID])).content.decode()
    table = content.split('data-testid="versions-table"')[1]
    assert table.index("empathy") < table.index("current") < table.index("old")  # newest first
    assert "v-staged" in table and "canary 20%" in table and ">main<" in table
    assert "20% to “empathy”" in content  # the canary banner names the version
    assert set(AssistantVersion.objects.values_list("version_id", flat=True)) == {"v-main", "v-staged", "v-old"}
    # A viewer compares but cannot promote, edit or delete.
    assert "Compare with main" in table
    assert ">Promote<" not in table and ">Delete<" not in table and ">Edit<" not in table


@responses.activate
def test_version_page_says_when_it_was_saved_as_a_date(viewer_client, api):
    content = viewer_client.get(reverse("assistants:version-detail", args=[AID, "v-old"])).content.decode()
    assert "saved 1 Nov 2026, 10:00" in content and "saved 2026-11-01T" not in content


@responses.activate
def test_admin_sees_the_write_buttons_only_on_non_main_versions(team_admin_client, api):
    content = team_admin_client.get(reverse("assistants:version-list", args=[AID])).content.decode()
    assert reverse("assistants:version-promote", args=[AID, "v-staged"]) in content
    assert reverse("assistants:version-promote", args=[AID, "v-main"]) not in content
    assert reverse("assistants:version-delete", args=[AID, "v-main"]) not in content


@responses.activate
def test_compare_shows_an_instructions_line_diff_and_only_the_settings_that_differ(viewer_client, api):
    response = viewer_client.get(reverse("assistants:version-compare", args=[AID]), {"a": "v-main", "b": "v-staged"})
    content = response.content.decode()
    diff = content.split('data-testid="instructions-diff"')[1].split("</section>")[0]
    # Word level: the changed line keeps its unchanged words plain and marks only " Be brief."
    assert 'You are support bot number 1.<del class="diff-word"> Be brief.</del>' in diff
    assert "<ins>Be kind.</ins>" in diff
    settings = content.split('data-testid="settings-diff"')[1].split("</section>")[0]
    assert "voice_settings.voice" in settings and "Telnyx.Other" in settings
    assert "voice_settings.temperature" not in settings and "transcription.model" not in settings
    assert "version_id" not in settings


@responses.activate
def test_promote_page_shows_the_diff_and_warns_the_canary_goes(team_admin_client, api):
    content = team_admin_client.get(reverse("assistants:version-promote", args=[AID, "v-staged"])).content.decode()
    assert "Promote “empathy” to main?" in content
    warning = content.split('data-testid="canary-warning"')[1].split("</div>")[0]
    assert "canary deploy will be removed" in warning and "20% to “empathy”" in warning
    assert "<ins>Be kind.</ins>" in content


@responses.activate
def test_promoting_says_what_happened_and_offers_a_rollback(team_admin_client, api):
    responses.post(f"{api['base']}/ai/assistants/{AID}/versions/v-staged/promote", json=api["staged"])
    response = team_admin_client.post(reverse("assistants:version-promote", args=[AID, "v-staged"]), {"override_reason": "no suites for this assistant yet"})
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Promoted “empathy” to main" in messages[0] and "canary deploy (20% to “empathy”) was removed" in messages[0]
    assert Assistant.objects.get(telnyx_id=AID).version_id == "v-staged"
    assert PromotionRecord.objects.get().from_version_id == "v-main"

    # Telnyx now says the staged version is main; the tab offers to roll back to the previous one.
    responses.replace(responses.GET, f"{api['base']}/ai/assistants/{AID}", json=api["staged"])
    responses.replace(responses.GET, f"{api['base']}/ai/assistants/{AID}/canary-deploys", status=404)
    content = team_admin_client.get(reverse("assistants:version-list", args=[AID])).content.decode()
    assert reverse("assistants:assistant-rollback", args=[AID]) in content and "v-main" in content
    card = content.split('class="card rollback-card"')[1].split("</div>")[0]
    assert 'data-testid="rollback-from">current</strong>' in card  # the name, not only the id


@responses.activate
def test_roll_back_promotes_the_previous_main_and_is_audited_as_rollback(team_admin_client, api):
    PromotionRecord.objects.create(assistant_id=AID, from_version_id="v-old", to_version_id="v-main", kind="promote")
    confirm = team_admin_client.get(reverse("assistants:assistant-rollback", args=[AID])).content.decode()
    assert "Roll back “Support bot 1” to “old”?" in confirm
    responses.post(f"{api['base']}/ai/assistants/{AID}/versions/v-old/promote", json=api["old"])

    response = team_admin_client.post(reverse("assistants:assistant-rollback", args=[AID]), follow=True)

    assert posts()[-1].request.url.endswith("/versions/v-old/promote")
    assert "Rolled back: “old” is main again." in response.content.decode()
    event = AuditEvent.objects.get(action="rollback")
    assert event.outcome == "success" and event.changes["main version"] == {"before": "v-main", "after": "v-old"}


@responses.activate
def test_failed_promote_keeps_main_and_shows_why(team_admin_client, api):
    responses.post(f"{api['base']}/ai/assistants/{AID}/versions/v-staged/promote", status=503)
    response = team_admin_client.post(
        reverse("assistants:version-promote", args=[AID, "v-staged"]),
        {"override_reason": "no suites for this assistant yet"},
        follow=True,
    )
    assert "Could not promote the version. Telnyx had a server error (503)" in response.content.decode()
    assert Assistant.objects.get(telnyx_id=AID).version_id == "v-main"
    assert AuditEvent.objects.get(action="promote").outcome == "failure"


@responses.activate
def test_edit_a_version_posts_to_the_version_endpoint(team_admin_client, api, form_data):
    url = reverse("assistants:version-change", args=[AID, "v-staged"])
    page = team_admin_client.get(url)
    assert "Editing version" in page.content.decode() and "Be kind." in page.content.decode()
    responses.post(f"{api['base']}/ai/assistants/{AID}/versions/v-staged", json={**api["staged"], "greeting": "Hey"})

    response = team_admin_client.post(url, {**form_data(page), "greeting": "Hey", "version_name": "empathy 2"})

    assert json.loads(posts()[-1].request.body) == {"greeting": "Hey", "version_name": "empathy 2"}
    assert response.url == reverse("assistants:version-detail", args=[AID, "v-staged"])
    assert AssistantVersion.objects.get(version_id="v-staged").payload["greeting"] == "Hey"


@responses.activate
def test_a_rejected_version_edit_keeps_the_form_and_points_at_the_field(team_admin_client, api, form_data):
    url = reverse("assistants:version-change", args=[AID, "v-staged"])
    page = team_admin_client.get(url)
    responses.post(f"{api['base']}/ai/assistants/{AID}/versions/v-staged", status=422,
                   json={"errors": [{"detail": "Unsupported language", "source": {"pointer": "/transcription/language"}}]})
    response = team_admin_client.post(url, {**form_data(page), "transcription_language": "xx"})
    assert response.context["form"].errors["transcription_language"] == ["Unsupported language"]
    assert 'value="xx"' in response.content.decode()


@responses.activate
def test_the_main_version_is_edited_through_the_change_tab(team_admin_client, api):
    response = team_admin_client.get(reverse("assistants:version-change", args=[AID, "v-main"]))
    assert response.url == reverse("assistants:assistant-change", args=[AID])


@responses.activate
def test_delete_a_version_after_confirming(team_admin_client, api):
    url = reverse("assistants:version-delete", args=[AID, "v-old"])
    assert "permanently deletes version <strong>old</strong>" in team_admin_client.get(url).content.decode()
    responses.delete(f"{api['base']}/ai/assistants/{AID}/versions/v-old", status=204)
    responses.replace(responses.GET, f"{api['base']}/ai/assistants/{AID}/versions", json={"data": [api["staged"], api["main"]]})
    response = team_admin_client.post(url, follow=True)
    assert "Deleted version “old”." in response.content.decode()
    assert "v-old" not in {v.version_id for v in response.context["cl"].page.object_list}


@responses.activate
def test_a_refused_delete_says_why(team_admin_client, api):
    url = reverse("assistants:version-delete", args=[AID, "v-staged"])
    assert "canary deploy serves this version" in team_admin_client.get(url).content.decode()
    responses.delete(f"{api['base']}/ai/assistants/{AID}/versions/v-staged", status=409,
                     json={"errors": [{"detail": "The version is referenced by the canary deploy"}]})
    response = team_admin_client.post(url, follow=True)
    assert "Could not delete version “empathy”." in response.content.decode()
    assert "referenced by the canary deploy" in response.content.decode()


@responses.activate
def test_viewer_cannot_open_promote_rollback_edit_or_delete(viewer_client, api):
    for name, args in (("assistants:version-promote", [AID, "v-staged"]), ("assistants:assistant-rollback", [AID]),
                       ("assistants:version-change", [AID, "v-staged"]), ("assistants:version-delete", [AID, "v-staged"])):
        assert viewer_client.get(reverse(name, args=args)).status_code == 403


@responses.activate
def test_history_tab_shows_promotions_and_version_edits(viewer_client, api, team_admin):
    from assistants.services import versions as services

    responses.post(f"{api['base']}/ai/assistants/{AID}/versions/v-old", json=api["old"])
    responses.post(f"{api['base']}/ai/assistants/{AID}/versions/v-staged/promote", json=api["staged"])
    services.version_update(user=team_admin, assistant_id=AID, version_id="v-old", changes={"greeting": "Yo"}, before=api["old"])
    services.version_promote(user=team_admin, assistant_id=AID, version_id="v-staged", from_version_id="v-main")
    content = viewer_client.get(reverse("assistants:assistant-history", args=[AID])).content.decode()
    assert "update version" in content and "Edited version" in content
    assert "action-promote" in content and "it is now main" in content


@responses.activate
def test_a_deleted_previous_main_is_no_longer_offered_as_a_rollback(team_admin_client, api):
    PromotionRecord.objects.create(assistant_id=AID, from_version_id="v-old", to_version_id="v-main", kind="promote")
    delete_page = team_admin_client.get(reverse("assistants:version-delete", args=[AID, "v-old"])).content.decode()
    assert 'data-testid="rollback-target-warning"' in delete_page and "can no longer be rolled back" in delete_page
    responses.delete(f"{api['base']}/ai/assistants/{AID}/versions/v-old", status=204)
    team_admin_client.post(reverse("assistants:version-delete", args=[AID, "v-old"]))
    responses.replace(responses.GET, f"{api['base']}/ai/assistants/{AID}/versions", json={"data": [api["staged"], api["main"]]})
    content = team_admin_client.get(reverse("assistants:version-list", args=[AID])).content.decode()
    assert "rollback-card" not in content and reverse("assistants:assistant-rollback", args=[AID]) not in content


@responses.activate
def test_rolling_back_to_a_version_telnyx_lost_says_so_instead_of_a_404(team_admin_client, api):
    PromotionRecord.objects.create(assistant_id=AID, from_version_id="v-old", to_version_id="v-main", kind="promote")
    responses.replace(responses.GET, f"{api['base']}/ai/assistants/{AID}/versions/v-old", status=404)
    responses.replace(responses.GET, f"{api['base']}/ai/assistants/{AID}/versions", json={"data": [api["staged"], api["main"]]})
    response = team_admin_client.get(reverse("assistants:assistant-rollback", args=[AID]), follow=True)
    assert response.status_code == 200
    assert "no longer exists in Telnyx: there is nothing to roll back to" in response.content.decode()
    assert "rollback-card" not in response.content.decode()


@responses.activate
def test_deleting_a_version_that_is_not_the_rollback_target_has_no_such_warning(team_admin_client, api):
    delete_page = team_admin_client.get(reverse("assistants:version-delete", args=[AID, "v-staged"])).content.decode()
    assert "rollback-target-warning" not in delete_page
