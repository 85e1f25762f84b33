"""Canary deploy services and pages, with Telnyx mocked by `responses`."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import responses
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from assistants.models import CanaryConfig
from assistants.services import canary as services
from portal.models import AuditEvent
from portal.telnyx import InternalServerError

pytestmark = pytest.mark.django_db

AID = "assistant-00000001-0000-4000-8000-000000000000"
ROLLOUT_20 = [{"serve": {"rollout": [{"version_id": "v-exp", "weight": 20.0}]}}]


@pytest.fixture
def api(telnyx_base, assistant_json):
    """The assistant (main version v-main), its three versions, and no canary deploy yet."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{telnyx_base}/ai/assistants/{AID}", json=assistant_json(1, version_id="v-main"))
        mock.get(f"{telnyx_base}/ai/assistants/{AID}/versions", json={"data": [
            {"version_id": "v-exp", "version_name": "empathy experiment", "version_created_at": "2026-11-20T10:00:00Z"},
            {"version_id": "v-main", "version_name": "revision 2", "version_created_at": "2026-11-19T10:00:00Z"},
            {"version_id": "v-old", "version_name": "initial", "version_created_at": "2026-11-01T10:00:00Z"},
        ]})
        mock.canary = f"{telnyx_base}/ai/assistants/{AID}/canary-deploys"
        yield mock


def has_canary(api, rules, **extra):
    api.get(api.canary, json={"assistant_id": AID, "rules": rules, "created_at": "2026-11-20T10:00:00Z",
                              "updated_at": "2026-11-20T10:00:00Z", **extra})


def no_canary(api):
    api.get(api.canary, status=404, json={"errors": [{"title": "Not found"}]})


def sent_json(api, method):
    return [json.loads(c.request.body) for c in api.calls if c.request.method == method]


# --- services ------------------------------------------------------------------------------
def test_save_creates_with_post_when_there_is_none_and_keeps_history(api, team_admin):
    no_canary(api)
    api.post(api.canary, json={"assistant_id": AID, "rules": ROLLOUT_20}, headers={"x-request-id": "req-1"})

    saved = services.canary_save(user=team_admin, assistant_id=AID, rules=ROLLOUT_20, idempotency_key="portal-k1")

    assert saved == ROLLOUT_20 and sent_json(api, "POST") == [{"rules": ROLLOUT_20}]
    assert [c.request.headers.get("Idempotency-Key") for c in api.calls if c.request.method == "POST"] == ["portal-k1"]
    config = CanaryConfig.objects.get()
    assert (config.kind, config.rules, config.username) == ("saved", ROLLOUT_20, team_admin.username)
    event = AuditEvent.objects.get()
    assert (event.action, event.resource_type, event.outcome, event.telnyx_request_id) == ("create", "canary_deploy", "success", "req-1")
    assert event.changes["rules"] == {"before": None, "after": ROLLOUT_20}


def test_save_replaces_with_put_and_audits_before_and_after(api, team_admin):
    old = [{"serve": {"version_id": "v-old"}}]
    has_canary(api, old)
    api.put(api.canary, json={"assistant_id": AID, "rules": ROLLOUT_20})

    services.canary_save(user=team_admin, assistant_id=AID, rules=ROLLOUT_20)

    assert sent_json(api, "PUT") == [{"rules": ROLLOUT_20}]
    event = AuditEvent.objects.get()
    assert event.action == "update" and event.changes["rules"] == {"before": old, "after": ROLLOUT_20}


def test_failed_save_is_audited_and_keeps_no_history(api, team_admin):
    no_canary(api)
    api.post(api.canary, status=503, json={"errors": [{"title": "Unavailable"}]})
    with pytest.raises(InternalServerError):
        services.canary_save(user=team_admin, assistant_id=AID, rules=ROLLOUT_20)
    assert not CanaryConfig.objects.exists()
    event = AuditEvent.objects.get()
    assert event.outcome == "failure" and event.telnyx_status == 503 and event.summary.startswith("Tried to save")


def test_delete_keeps_the_old_rules_in_history(api, team_admin):
    has_canary(api, ROLLOUT_20)
    api.delete(api.canary, status=204)
    assert services.canary_delete(user=team_admin, assistant_id=AID) is True
    config = CanaryConfig.objects.get()
    assert config.kind == "deleted" and config.rules == ROLLOUT_20
    event = AuditEvent.objects.get()
    assert event.action == "delete" and event.changes["rules"] == {"before": ROLLOUT_20, "after": None}


def test_failed_delete_is_audited_and_keeps_no_history(api, team_admin):
    has_canary(api, ROLLOUT_20)
    api.delete(api.canary, status=500)
    with pytest.raises(InternalServerError):
        services.canary_delete(user=team_admin, assistant_id=AID)
    assert not CanaryConfig.objects.exists()
    assert AuditEvent.objects.get().outcome == "failure"


def test_restore_puts_an_earlier_configuration_back_audited_as_restore(api, team_admin):
    earlier = CanaryConfig.objects.create(assistant_id=AID, rules=ROLLOUT_20, kind="saved", username="someone",
                                          saved_at="2026-11-01T10:00:00Z")
    has_canary(api, [{"serve": {"version_id": "v-old"}}])
    api.put(api.canary, json={"assistant_id": AID, "rules": ROLLOUT_20})

    services.canary_restore(user=team_admin, assistant_id=AID, config_id=earlier.pk)

    assert sent_json(api, "PUT") == [{"rules": ROLLOUT_20}]
    assert CanaryConfig.objects.first().kind == "restored"
    event = AuditEvent.objects.get()
    assert event.action == "restore" and "saved 2026-11-01" in event.summary and "someone" in event.summary


def test_seed_shaped_response_is_read_as_a_rollout(api, viewer):
    api.get(api.canary, json={"assistant_id": AID, "versions": [{"version_id": "v-exp", "percentage": 30}]})
    deploy = services.canary_fetch(user=viewer, assistant_id=AID)
    assert deploy.exists and deploy.rules == [{"serve": {"rollout": [{"version_id": "v-exp", "weight": 30.0}]}}]


def test_only_admins_change_canary_deploys(operator):
    with pytest.raises(PermissionDenied):
        services.canary_save(user=operator, assistant_id=AID, rules=ROLLOUT_20)
    with pytest.raises(PermissionDenied):
        services.canary_delete(user=operator, assistant_id=AID)


# --- pages ---------------------------------------------------------------------------------
def page_url(name, *args):
    return reverse(name, args=[AID, *args])


def test_page_draws_the_configured_split_with_version_names(api, viewer_client):
    has_canary(api, ROLLOUT_20)
    content = viewer_client.get(page_url("assistants:canary-detail")).content.decode()
    assert "Canary deploy active" in content
    assert "empathy experiment <strong>20%</strong>" in content and "main <strong>80%</strong>" in content
    assert 'id="canary-form"' not in content and "Save canary deploy" not in content  # viewers only read


def test_old_seed_shape_displays_correctly(api, viewer_client):
    api.get(api.canary, json={"assistant_id": AID, "versions": [{"version_id": "v-old", "percentage": 15}]})
    content = viewer_client.get(page_url("assistants:canary-detail")).content.decode()
    assert "initial <strong>15%</strong>" in content and "main <strong>85%</strong>" in content


def test_admin_sees_the_editor_filled_with_the_saved_rules(api, team_admin_client):
    has_canary(api, ROLLOUT_20)
    content = team_admin_client.get(page_url("assistants:canary-detail")).content.decode()
    assert 'name="r0-s0-weight" value="20"' in content
    assert '<option value="v-exp" selected>' in content


def test_preview_redraws_the_bar_as_weights_change(api, team_admin_client):
    response = team_admin_client.post(page_url("assistants:canary-preview"), {
        "r0-mode": "rollout", "r0-s0-version": "v-exp", "r0-s0-weight": "35",
        "r0-s1-version": "v-old", "r0-s1-weight": "15"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "<html" not in content
    assert "empathy experiment <strong>35%</strong>" in content and "initial <strong>15%</strong>" in content
    assert "main <strong>50%</strong>" in content


def test_preview_puts_errors_next_to_the_offending_weight(api, team_admin_client):
    response = team_admin_client.post(page_url("assistants:canary-preview"), {
        "r0-mode": "rollout", "r0-s0-version": "v-exp", "r0-s0-weight": "150",
        "r0-s1-version": "v-old", "r0-s1-weight": "15"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert 'id="err-r0-s0-weight" data-testid="weight-error-0-0" hx-swap-oob="true">Must be between 0 and 100.' in content
    assert 'id="err-r0-s1-weight" data-testid="weight-error-0-1" hx-swap-oob="true"></span>' in content
    sum_over = team_admin_client.post(page_url("assistants:canary-preview"), {
        "r0-mode": "rollout", "r0-s0-version": "v-exp", "r0-s0-weight": "90",
        "r0-s1-version": "v-old", "r0-s1-weight": "10"}, headers={"HX-Request": "true"}).content.decode()
    assert "Weights add up to 100%; they must total less than 100%" in sum_over
    assert "is-invalid" in sum_over


def test_editor_adds_a_rollout_row_keeping_typed_values(api, team_admin_client):
    response = team_admin_client.post(page_url("assistants:canary-editor"), {
        "r0-mode": "rollout", "r0-s0-version": "v-exp", "r0-s0-weight": "7", "op": "add_slot-0"},
        headers={"HX-Request": "true"})
    content = response.content.decode()
    assert 'name="r0-s0-weight" value="7"' in content and 'name="r0-s1-weight" value=""' in content
    assert "<html" not in content


def test_save_sends_the_rules_and_redirects_with_a_message(api, team_admin_client):
    no_canary(api)
    api.post(api.canary, json={"assistant_id": AID, "rules": ROLLOUT_20})
    response = team_admin_client.post(page_url("assistants:canary-save"), {
        "r0-mode": "rollout", "r0-s0-version": "v-exp", "r0-s0-weight": "20"}, follow=True)
    assert sent_json(api, "POST") == [{"rules": ROLLOUT_20}]
    assert "Saved the canary deploy." in response.content.decode()


def test_invalid_weights_are_not_sent_and_the_form_is_kept(api, team_admin_client):
    has_canary(api, ROLLOUT_20)
    response = team_admin_client.post(page_url("assistants:canary-save"), {
        "r0-mode": "rollout", "r0-s0-version": "v-exp", "r0-s0-weight": "100"})
    content = response.content.decode()
    assert response.status_code == 200 and not sent_json(api, "PUT") and not sent_json(api, "POST")
    assert "they must total less than 100%" in content and 'name="r0-s0-weight" value="100"' in content


def test_telnyx_422_lands_next_to_the_weight_and_nothing_is_kept(api, team_admin_client):
    has_canary(api, ROLLOUT_20)
    api.put(api.canary, status=422, json={"errors": [{"title": "Invalid", "detail": "Weight too precise",
                                                      "source": {"pointer": "/rules/0/serve/rollout/0/weight"}}]})
    response = team_admin_client.post(page_url("assistants:canary-save"), {
        "r0-mode": "rollout", "r0-s0-version": "v-exp", "r0-s0-weight": "20.123"})
    content = response.content.decode()
    assert 'data-testid="weight-error-0-0">Weight too precise' in content
    assert 'value="20.123"' in content and "Telnyx did not save the canary deploy" in content
    assert not CanaryConfig.objects.exists() and AuditEvent.objects.get().outcome == "failure"


def test_telnyx_outage_on_save_is_a_clear_message_with_the_form_kept(api, team_admin_client):
    has_canary(api, ROLLOUT_20)
    api.put(api.canary, status=503)
    response = team_admin_client.post(page_url("assistants:canary-save"), {
        "r0-mode": "rollout", "r0-s0-version": "v-exp", "r0-s0-weight": "30"})
    content = response.content.decode()
    assert "Telnyx had a server error (503)" in content and 'name="r0-s0-weight" value="30"' in content


def test_delete_and_restore_from_the_history_table(api, team_admin_client):
    has_canary(api, ROLLOUT_20)
    api.delete(api.canary, status=204)
    page = team_admin_client.post(page_url("assistants:canary-delete"), follow=True).content.decode()
    assert "Deleted the canary deploy: all traffic goes to main." in page
    config = CanaryConfig.objects.get()
    api.put(api.canary, json={"assistant_id": AID, "rules": ROLLOUT_20})
    restored = team_admin_client.post(page_url("assistants:canary-restore", config.pk), follow=True).content.decode()
    assert "Restored the earlier canary configuration." in restored
    assert sent_json(api, "PUT") == [{"rules": ROLLOUT_20}]


def test_rule_tester_names_the_matching_rule_and_split(api, viewer_client):
    has_canary(api, [{"match": [{"attribute": "from", "operator": "starts_with", "values": ["+1555"]}],
                      "serve": {"version_id": "v-old"}}, *ROLLOUT_20])
    first = viewer_client.get(page_url("assistants:canary-test"), {"attribute": ["from", "to"], "value": ["+15551234", ""]},
                              headers={"HX-Request": "true"}).content.decode()
    assert "Matches <strong>Rule 1</strong>" in first and "initial <strong>100%</strong>" in first
    other = viewer_client.get(page_url("assistants:canary-test"), {"attribute": ["from"], "value": ["+4930"]}).content.decode()
    assert "Matches <strong>Rule 2</strong>" in other and "main <strong>80%</strong>" in other


def test_observed_split_counts_conversations_per_serving_version(api, viewer_client, telnyx_base):
    has_canary(api, ROLLOUT_20)
    now = timezone.now().isoformat()
    conversations = [{"id": f"c{n}", "created_at": now, "metadata": {"assistant_id": AID,
                      "assistant_version_id": "v-exp" if n < 2 else "v-main"}} for n in range(10)]
    api.get(f"{telnyx_base}/ai/conversations", json={"data": conversations})
    content = viewer_client.get(page_url("assistants:canary-observed"), headers={"HX-Request": "true"}).content.decode()
    sent = next(c.request.url for c in api.calls if "/ai/conversations" in c.request.url)
    assert "metadata-%3Eassistant_id=eq." in sent and "created_at=gte." in sent
    assert "10 conversations" in content
    assert "empathy experiment <strong>20%</strong> <span class=\"muted\">(2)</span>" in content
    assert "main <strong>80%</strong> <span class=\"muted\">(8)</span>" in content


def test_when_the_canary_cannot_be_read_the_editor_is_off_with_a_banner(api, team_admin_client):
    api.get(api.canary, status=503)
    content = team_admin_client.get(page_url("assistants:canary-detail")).content.decode()
    assert 'data-testid="canary-error"' in content and "Telnyx had a server error (503)" in content
    assert 'id="canary-form"' not in content and "All traffic goes to main" not in content


def test_an_overflowing_draft_keeps_the_typed_weights_in_the_legend(api, team_admin_client):
    content = team_admin_client.post(page_url("assistants:canary-preview"), {
        "r0-mode": "rollout", "r0-s0-version": "v-exp", "r0-s0-weight": "90",
        "r0-s1-version": "v-old", "r0-s1-weight": "60"}, headers={"HX-Request": "true"}).content.decode()
    assert "empathy experiment <strong>90%</strong>" in content and "initial <strong>60%</strong>" in content
    assert 'data-width="60.00"' in content and 'data-width="40.00"' in content  # drawn to scale
    assert "main <strong>" not in content


def test_typing_in_the_editor_does_not_refetch_versions_each_time(api, team_admin_client):
    for weight in ("1", "12", "15"):
        team_admin_client.post(page_url("assistants:canary-preview"), {"r0-mode": "rollout", "r0-s0-version": "v-exp",
                                                            "r0-s0-weight": weight}, headers={"HX-Request": "true"})
    assert sum(1 for c in api.calls if c.request.url.endswith("/versions")) == 1


def test_rule_tester_can_test_the_unsaved_draft(api, team_admin_client):
    has_canary(api, ROLLOUT_20)
    draft = {"draft": "1", "attribute": ["channel"], "value": ["sms_chat"],
             "r0-mode": "version", "r0-version": "v-old", "r0-c0-attribute": "channel", "r0-c0-operator": "in",
             "r0-c0-values": "sms_chat", "r1-mode": "rollout", "r1-s0-version": "v-exp", "r1-s0-weight": "20"}
    content = team_admin_client.get(page_url("assistants:canary-test"), draft, headers={"HX-Request": "true"}).content.decode()
    assert "Against the draft in the editor" in content and "Matches <strong>Rule 1</strong>" in content
    assert "initial <strong>100%</strong>" in content
    broken = team_admin_client.get(page_url("assistants:canary-test"), {**draft, "r1-s0-weight": "200"}).content.decode()
    assert "The draft has errors" in broken


# --- releasing from the canary page ------------------------------------------------------------
PINNED_THEN_20 = [
    {"match": [{"attribute": "from", "operator": "starts_with", "values": ["+1555"]}], "serve": {"version_id": "v-exp"}},
    {"serve": {"rollout": [{"version_id": "v-exp", "weight": 20.0}]}},
]


def test_the_canary_page_says_the_split_in_plain_words_and_offers_promote_and_abort(api, team_admin_client):
    has_canary(api, PINNED_THEN_20)
    content = team_admin_client.get(page_url("assistants:canary-detail")).content.decode()
    summary = content.split('data-testid="canary-summary"')[1].split("</p>")[0]
    assert ("callers whose from starts with +1555: 100% empathy experiment; "
            "everyone else: 20% empathy experiment, 80% main") in summary
    promote = content.split('data-testid="promote-candidate"')[0].rsplit("<a", 1)[1]
    assert reverse("assistants:version-promote", args=[AID, "v-exp"]) in promote  # the confirmed promote page
    assert "Promote candidate “empathy experiment”" in content
    abort = content.split('data-testid="abort-canary"')[0].rsplit("<a", 1)[1]
    assert page_url("assistants:canary-delete") in abort
    confirm = team_admin_client.get(page_url("assistants:canary-delete")).content.decode()
    assert "Abort the canary deploy?" in confirm and "Yes, abort: all traffic to main" in confirm


def test_split_history_marks_the_entry_that_is_live_now(api, team_admin_client, team_admin):
    has_canary(api, ROLLOUT_20)
    older = CanaryConfig.objects.create(assistant_id=AID, rules=PINNED_THEN_20, kind="saved", username="ada_admin",
                                        saved_at=timezone.now() - timedelta(hours=2))
    live = CanaryConfig.objects.create(assistant_id=AID, rules=ROLLOUT_20, kind="saved", username="ada_admin",
                                       saved_at=timezone.now() - timedelta(hours=1))
    content = team_admin_client.get(page_url("assistants:canary-detail")).content.decode()
    history = content.split('data-testid="split-history"')[1]
    current = history.split('data-testid="current-config"')[1].split("</tr>")[0]
    assert ">current<" in current and f"canary/restore/{live.pk}/" not in current  # nothing to restore
    assert history.count('data-testid="current-config"') == 1
    assert f"canary/restore/{older.pk}/" in history


def test_observed_split_has_a_since_this_canary_started_window(api, viewer_client, telnyx_base):
    started = timezone.now() - timedelta(hours=3)
    has_canary(api, ROLLOUT_20, created_at=started.isoformat())
    def conversation(n, hours_ago, version):
        at = (timezone.now() - timedelta(hours=hours_ago)).isoformat()
        return {"id": f"c{n}", "created_at": at, "metadata": {"assistant_id": AID, "assistant_version_id": version}}
    conversations = [conversation(0, 1, "v-exp"), conversation(1, 2, "v-main"), conversation(2, 5, "v-main"),
                     conversation(3, 30, "v-main")]
    api.get(f"{telnyx_base}/ai/conversations", json={"data": conversations})

    content = viewer_client.get(page_url("assistants:canary-observed"), headers={"HX-Request": "true"}).content.decode()

    since = content.split("Since this canary started")[1].split("split-block")[0]
    assert "2 conversations" in since  # only the two after the canary started
    assert "empathy experiment <strong>50%</strong>" in since
