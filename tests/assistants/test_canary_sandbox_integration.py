"""Canary deploys, chat and the observed split end to end over HTTP against the sandbox."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from assistants.models import CanaryConfig
from assistants.services import canary as canary_services
from assistants.services import chat as chat_services
from assistants.services import observed
from portal.models import AuditEvent
from portal.telnyx import NotFoundError, get_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sales(sandbox):
    """The demo "Sales Qualifier": a main version and an older one, no canary deploy."""
    call_command("sandbox_seed", "--demo", verbosity=0)
    assistants = get_client().get("ai/assistants").data["data"]
    assistant = next(a for a in assistants if a["name"] == "Sales Qualifier")
    versions = get_client().get(f"ai/assistants/{assistant['id']}/versions").data["data"]
    older = next(v["version_id"] for v in versions if v["version_id"] != assistant["version_id"])
    return assistant["id"], assistant["version_id"], older


def test_canary_of_20_percent_shows_up_in_the_observed_split(team_admin_client, team_admin, sales):
    assistant_id, main_id, older_id = sales
    response = team_admin_client.post(reverse("assistants:canary-save", args=[assistant_id]), {
        "r0-mode": "rollout", "r0-s0-version": older_id, "r0-s0-weight": "20"})
    assert response.status_code == 302
    live = get_client().get(f"ai/assistants/{assistant_id}/canary-deploys").data
    assert live["rules"] == [{"serve": {"rollout": [{"version_id": older_id, "weight": 20.0}]}}]

    served = set()
    for n in range(50):
        turn = chat_services.chat_send(user=team_admin, assistant_id=assistant_id, content=f"Lead number {n}")
        assert turn.reply
        served.add(turn.version_id)
    assert served == {main_id, older_id}

    split = observed.observed_split(user=team_admin, assistant_id=assistant_id, refresh=True)
    last_day = split.windows[0]
    assert last_day.total == 50 and set(last_day.counts) == {main_id, older_id}
    assert 5 <= last_day.counts[older_id] <= 20  # about 20% of 50

    page = team_admin_client.get(reverse("assistants:canary-observed", args=[assistant_id]) + "?refresh=1")
    assert b"50 conversations" in page.content and b"initial" in page.content

    deleted = team_admin_client.post(reverse("assistants:canary-delete", args=[assistant_id]), follow=True)
    assert b"Deleted the canary deploy" in deleted.content
    with pytest.raises(NotFoundError):
        get_client().get(f"ai/assistants/{assistant_id}/canary-deploys")
    assert list(CanaryConfig.objects.values_list("kind", flat=True)) == ["deleted", "saved"]
    actions = sorted(AuditEvent.objects.filter(resource_type="canary_deploy").values_list("action", "telnyx_status"))
    assert actions == [("create", 200), ("delete", 204)]


def test_the_demo_canary_is_shown_and_can_be_restored_after_deletion(team_admin_client, team_admin, sandbox):
    call_command("sandbox_seed", "--demo", verbosity=0)
    acme = next(a for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Acme Support")
    page = team_admin_client.get(reverse("assistants:canary-detail", args=[acme["id"]])).content.decode()
    assert "empathy experiment <strong>20%</strong>" in page and "main <strong>80%</strong>" in page

    assert canary_services.canary_delete(user=team_admin, assistant_id=acme["id"]) is True
    config = CanaryConfig.objects.get(kind="deleted")
    team_admin_client.post(reverse("assistants:canary-restore", args=[acme["id"], config.pk]))
    rules = get_client().get(f"ai/assistants/{acme['id']}/canary-deploys").data["rules"]
    assert rules[0]["serve"]["rollout"][0]["weight"] == 20.0
    assert AuditEvent.objects.filter(action="restore", outcome="success").count() == 1


def test_sms_chat_reaches_the_sandbox_and_is_audited(operator_client, sales):
    assistant_id, _, _ = sales
    operator_client.get(reverse("assistants:chat", args=[assistant_id]))  # the chat page, where the form is
    response = operator_client.post(reverse("assistants:chat-sms", args=[assistant_id]),
                                    {"from": "+15550001111", "to": "+15552223333", "text": "Hi from the test"},
                                    headers={"HX-Request": "true"})
    assert b"SMS chat started: conversation" in response.content
    event = AuditEvent.objects.get(action="sms_chat")
    assert event.outcome == "success" and event.telnyx_request_id


def test_a_failing_sandbox_gives_a_clear_message_and_keeps_the_form(team_admin_client, sales, settings):
    assistant_id, _, older_id = sales
    team_admin_client.post(reverse("assistants:assistant-refresh"))  # the assistant is cached from here on
    settings.SANDBOX_FAULTS = "status=503"
    response = team_admin_client.post(reverse("assistants:canary-save", args=[assistant_id]), {
        "r0-mode": "rollout", "r0-s0-version": older_id, "r0-s0-weight": "20"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Telnyx did not save the canary deploy" in content and "Telnyx had a server error (503)" in content
    assert 'name="r0-s0-weight" value="20"' in content and 'data-testid="canary-error"' in content
    assert not CanaryConfig.objects.exists()
    assert AuditEvent.objects.get(resource_type="canary_deploy").outcome == "failure"
