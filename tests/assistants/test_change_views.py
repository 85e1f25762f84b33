"""The assistant change form: fieldsets, tool rows over HTMX, Save / Save as new version,
Telnyx errors landing on fields and tool rows. Telnyx is mocked with `responses`."""

from __future__ import annotations

import json

import pytest
import responses
from django.urls import reverse

from assistants.models import Assistant, AssistantVersion
from assistants.services import assistants as assistant_services
from portal.models import AuditEvent

ASSISTANT_ID = "assistant-00000001-0000-4000-8000-000000000000"

pytestmark = pytest.mark.django_db

CHANGE = reverse("assistants:assistant-change", args=[ASSISTANT_ID])


@pytest.fixture
def live(telnyx_base, rich_assistant, model_catalogue):
    """Telnyx answers GET for the assistant; it is cached too."""
    assistant_services.assistant_cache_put(rich_assistant)
    responses.get(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=rich_assistant)
    return rich_assistant


def sent_body() -> dict:
    return json.loads([c for c in responses.calls if c.request.method == "POST"][-1].request.body)


@responses.activate
def test_form_shows_settings_in_sections_with_tools_and_unmodeled_settings_read_only(team_admin_client, live):
    response = team_admin_client.get(CHANGE)
    content = response.content.decode()
    assert response.status_code == 200
    for section in ("Basics", "Behaviour", "Tools", "Voice", "Transcription", "Telephony", "Messaging", "Insights", "Privacy"):
        assert f"<legend>{section}</legend>" in content
    assert 'value="Support bot 1"' in content and "open_ticket" in content and "https://example.com/hook" in content
    assert 'value="deepgram/nova-3" selected' in content
    assert "shared tool, attached by id" in content  # shared retrieval tool shown, not editable
    unmodeled = content.split('data-testid="unmodeled"')[1].split("</pre>")[0]
    assert "widget_settings" in unmodeled and "voice_settings.temperature" in unmodeled
    assert "Save as new version" in content


@responses.activate
def test_save_sends_only_what_changed_keeps_nested_extras_and_is_not_live(team_admin_client, live, telnyx_base, version_json, form_data):
    data = form_data(team_admin_client.get(CHANGE))
    data.update({"name": "Support bot renamed", "voice_speed": "1.2", "tools-0-url": "https://example.com/v2", "save_as_version": ""})
    saved = version_json(live, "v-new", "v-new", name="Support bot renamed")
    responses.post(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=saved)

    response = team_admin_client.post(CHANGE, data)

    body = sent_body()
    assert body["promote_to_main"] is False  # making it live is a separate, confirmed action
    assert body["name"] == "Support bot renamed"
    # voice_settings merged: the speed is added, temperature (not on the form) is kept.
    assert body["voice_settings"] == {"voice": "Telnyx.KokoroTTS.af_heart", "temperature": 0.7, "voice_speed": 1.2}
    # the webhook keeps its headers; the shared tool is never sent inline.
    assert body["tools"][0]["webhook"]["headers"] == [{"name": "X-Team", "value": "support"}]
    assert body["tools"][0]["webhook"]["url"] == "https://example.com/v2"
    assert [t["type"] for t in body["tools"]] == ["webhook", "hangup"]
    assert not {"widget_settings", "enabled_features", "instructions", "transcription"} & set(body)
    assert response.status_code == 302 and response.url == reverse("assistants:version-detail", args=[ASSISTANT_ID, "v-new"])
    assert Assistant.objects.get(telnyx_id=ASSISTANT_ID).name == "Support bot 1"  # main is unchanged
    event = AuditEvent.objects.get(action="create version")
    assert event.changes["name"] == {"before": "Support bot 1", "after": "Support bot renamed"}


@responses.activate
def test_save_as_new_version_is_not_live(team_admin_client, live, telnyx_base, version_json, form_data):
    data = form_data(team_admin_client.get(CHANGE))
    data.update({"instructions": "Be very brief.", "version_name": "brief", "save_as_version": ""})
    staged = version_json(live, "v-staged", "brief", instructions="Be very brief.")
    responses.post(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=staged)
    responses.get(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}/versions/v-staged", json=staged)

    response = team_admin_client.post(CHANGE, data, follow=True)

    body = sent_body()
    assert body["promote_to_main"] is False and body["version_name"] == "brief"
    assert body["instructions"] == "Be very brief."
    content = response.content.decode()
    assert "Saved new version “brief”. It is not live." in content
    # The flash offers the next steps, one click each; making it live goes through the confirm page.
    flash = content.split('class="messages"')[1].split("</ul>")[0]
    assert reverse("assistants:chat", args=[ASSISTANT_ID]) + "?version=v-staged" in flash
    assert reverse("assistants:version-detail", args=[ASSISTANT_ID, "v-staged"]) + "#version-suites" in flash
    assert reverse("assistants:version-promote", args=[ASSISTANT_ID, "v-staged"]) in flash
    assert 'data-testid="try-in-chat"' in content and 'id="version-suites"' in content
    # main is untouched in the cache; the staged version is cached as not main
    assert Assistant.objects.get(telnyx_id=ASSISTANT_ID).instructions == live["instructions"]
    staged = AssistantVersion.objects.get(version_id="v-staged")
    assert not staged.is_main and staged.name == "brief"
    assert AuditEvent.objects.get(action="create version").outcome == "success"


@responses.activate
def test_422_pointers_land_on_the_field_and_the_tool_row_and_the_form_keeps_its_values(team_admin_client, live, telnyx_base, form_data):
    data = form_data(team_admin_client.get(CHANGE))
    data.update({"name": "Typed name", "tools-0-url": "not-a-url", "save": ""})
    responses.post(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", status=422, json={"errors": [
        {"title": "Invalid", "detail": "URL must be absolute", "source": {"pointer": "/tools/0/webhook/url"}},
        {"title": "Invalid", "detail": "Name is taken", "source": {"pointer": "/name"}},
        {"title": "Invalid", "detail": "Unknown voice", "source": {"pointer": "/voice_settings/voice"}},
    ]})

    response = team_admin_client.post(CHANGE, data)

    form, tools = response.context["form"], response.context["tools"]
    assert form.errors["name"] == ["Name is taken"]
    assert form.errors["voice"] == ["Unknown voice"]
    assert tools.forms[0].errors["url"] == ["URL must be absolute"]
    content = response.content.decode()
    assert 'value="Typed name"' in content and 'value="not-a-url"' in content
    assert "Telnyx could not accept these values (422)" in content
    assert Assistant.objects.get(telnyx_id=ASSISTANT_ID).name == "Support bot 1"
    assert AuditEvent.objects.get().outcome == "failure"


@responses.activate
def test_telnyx_down_on_save_gives_a_clear_message_and_changes_nothing(team_admin_client, live, telnyx_base, form_data):
    data = form_data(team_admin_client.get(CHANGE))
    data.update({"description": "New words", "save_as_version": ""})
    responses.post(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", status=503)

    response = team_admin_client.post(CHANGE, data)

    assert response.status_code == 200
    assert "Telnyx had a server error (503)" in response.content.decode()
    assert 'value="New words"' in response.content.decode()
    assert not AssistantVersion.objects.exists()
    assert Assistant.objects.get(telnyx_id=ASSISTANT_ID).description == live["description"]
    event = AuditEvent.objects.get()
    assert (event.action, event.outcome, event.telnyx_status) == ("create version", "failure", 503)


@responses.activate
def test_saving_without_changes_does_not_call_telnyx(team_admin_client, live, form_data):
    data = {**form_data(team_admin_client.get(CHANGE)), "save": ""}
    response = team_admin_client.post(CHANGE, data, follow=True)
    assert "Nothing changed" in response.content.decode()
    assert not [c for c in responses.calls if c.request.method == "POST"]


@responses.activate
def test_invalid_json_is_reported_on_its_field(team_admin_client, live, form_data):
    data = {**form_data(team_admin_client.get(CHANGE)), "dynamic_variables": "{not json", "save": ""}
    response = team_admin_client.post(CHANGE, data)
    assert "Not valid JSON" in response.context["form"].errors["dynamic_variables"][0]
    assert not [c for c in responses.calls if c.request.method == "POST"]


def test_add_tool_row_over_htmx_renders_the_next_index_and_bumps_the_total(team_admin_client):
    response = team_admin_client.get(reverse("assistants:tool-row"), {"tools-TOTAL_FORMS": "2", "new_tool_type": "function"},
                                     headers={"HX-Request": "true"})
    content = response.content.decode()
    assert 'name="tools-2-name"' in content and 'name="tools-2-parameters"' in content
    assert 'name="tools-2-url"' not in content  # function rows have no URL
    assert 'name="tools-TOTAL_FORMS" value="3"' in content and 'hx-swap-oob="true"' in content
    assert "<html" not in content


def test_remove_tool_row_over_htmx_marks_it_deleted(team_admin_client):
    response = team_admin_client.get(reverse("assistants:tool-row"), {"remove": "1"}, headers={"HX-Request": "true"})
    assert 'name="tools-1-DELETE" value="on"' in response.content.decode()


@responses.activate
def test_added_and_removed_rows_change_the_tools_sent(team_admin_client, live, telnyx_base, version_json, form_data):
    data = form_data(team_admin_client.get(CHANGE))
    data.update({"tools-1-DELETE": "on", "tools-TOTAL_FORMS": "3", "tools-2-type": "transfer",
                 "tools-2-targets": '[{"name": "Sales", "to": "+15551234567"}]', "tools-2-transfer_from": "+15550000000",
                 "save": ""})
    responses.post(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=version_json(live, "v-new", "v-new"))

    team_admin_client.post(CHANGE, data)

    tools = sent_body()["tools"]
    assert [t["type"] for t in tools] == ["webhook", "transfer"]
    assert tools[1]["transfer"] == {"targets": [{"name": "Sales", "to": "+15551234567"}], "from": "+15550000000"}


@responses.activate
def test_viewer_cannot_open_the_change_form_nor_sees_the_tab(viewer_client, live):
    assert viewer_client.get(CHANGE).status_code == 403
    detail = viewer_client.get(reverse("assistants:assistant-detail", args=[ASSISTANT_ID])).content.decode()
    assert CHANGE not in detail
    assert reverse("assistants:version-list", args=[ASSISTANT_ID]) in detail


@responses.activate
def test_a_locally_invalid_tool_row_says_nothing_was_saved(team_admin_client, live, form_data):
    data = {**form_data(team_admin_client.get(CHANGE)), "tools-TOTAL_FORMS": "3", "tools-2-type": "function", "save": ""}
    response = team_admin_client.post(CHANGE, data)
    assert "Nothing was saved: correct the fields marked below." in response.content.decode()
    assert response.context["tools"].forms[2].errors["name"] == ["Required for a function tool."]
    assert not [c for c in responses.calls if c.request.method == "POST"]


def test_change_form_warns_which_version_the_next_save_prunes(team_admin_client, settings):
    """At Telnyx's 10-version limit, the form names the version a save would delete."""
    from datetime import timedelta

    from django.utils import timezone

    from assistants.models import AssistantVersion
    from assistants.selectors import version_pruned_by_next_save

    now = timezone.now()
    for n in range(10):
        AssistantVersion.objects.create(
            telnyx_id=f"a1:v{n}", assistant_id="a1", version_id=f"v{n}", name=f"rev {n}",
            created_at=now - timedelta(days=10 - n), is_main=(n == 0), synced_at=now, payload={},
        )
    pruned = version_pruned_by_next_save("a1")
    assert pruned.name == "rev 1"  # the oldest that is not main
    AssistantVersion.objects.filter(version_id="v9").delete()
    assert version_pruned_by_next_save("a1") is None


@responses.activate
def test_the_form_only_saves_versions_that_are_not_live_from_a_sticky_bar(team_admin_client, live):
    content = team_admin_client.get(CHANGE).content.decode()
    bar = content.split('data-testid="save-bar"')[1].split("</form>")[0]
    assert 'class="card form-actions-card sticky-save-bar"' in content
    assert bar.count('type="submit"') == 1 and 'name="save_as_version"' in bar  # no "save straight to main"
    assert "not live" in bar
    assert "data-warn-unsaved" in content and "/static/portal/unsaved.js" in content
    assert "<script>" not in content  # the CSP allows no inline script


@responses.activate
def test_an_old_save_button_post_still_saves_a_version_that_is_not_live(team_admin_client, live, telnyx_base, version_json, form_data):
    data = {**form_data(team_admin_client.get(CHANGE)), "name": "Renamed", "save": ""}
    responses.post(f"{telnyx_base}/ai/assistants/{ASSISTANT_ID}", json=version_json(live, "v-new", "v-new", name="Renamed"))
    team_admin_client.post(CHANGE, data)
    assert sent_body()["promote_to_main"] is False


@responses.activate
def test_voice_and_messaging_profile_are_typed_checked_and_say_why_there_is_no_picker(team_admin_client, live, telnyx_base, form_data):
    page = team_admin_client.get(CHANGE)
    assert "no endpoint that lists voices" in page.content.decode() and "no endpoint that lists messaging" in page.content.decode()
    data = form_data(page)
    data.update({"voice": "just a name", "default_messaging_profile_id": "profile 12", "save": ""})
    response = team_admin_client.post(CHANGE, data)
    form = response.context["form"]
    assert form.errors["voice"] == ["A voice is Provider.Model.Voice, e.g. Telnyx.KokoroTTS.af_heart."]
    assert form.errors["default_messaging_profile_id"][0].startswith("A messaging profile id is a UUID")
    assert not [c for c in responses.calls if c.request.method == "POST"]  # nothing sent to Telnyx
