"""Two-person approval covers every path to callers: each way around it that one Admin had is
refused, and an approval is void once what it covered changed. Telnyx mocked (`responses`)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import responses
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assistants.models import PromotionRecord
from core import credentials
from portal.models import AuditEvent
from releases.models import ApprovalRequest, RolloutPlan, RolloutStep
from releases.services import approvals, plans
from releases.services.engine import rollout_advance
from releases.services.live import policy_change
from releases.services.policy import two_person_required
from releases.services.promotion import promotion_gate

from .conftest import AID, BEFORE, pct

pytestmark = pytest.mark.django_db
CATCH_ALL = [{"serve": {"version_id": "v-cand"}}]  # no match clause: every caller


@pytest.fixture
def bob(db) -> User:
    user = User.objects.create_user("bob", password="pw-for-tests-only")
    user.groups.add(Group.objects.get(name="Admin"))
    return user


@pytest.fixture
def two_person(settings):
    settings.RELEASES_TWO_PERSON_APPROVAL = True


@pytest.fixture
def versions_list(api):
    api.get(f"{api.base}/ai/assistants/{AID}/versions", json={"data": [
        {"version_id": v, "version_name": v, "version_created_at": "2026-11-20T10:00:00Z"}
        for v in ("v-cand", "v-main", "v-old")]})
    return api


def writes(api, method="PUT"):
    return [json.loads(c.request.body or "{}") for c in api.calls
            if c.request.method == method and c.request.url.endswith("canary-deploys")]


def edit_candidate(api, instructions="Edited after the approval."):
    api.replace(responses.GET, f"{api.base}/ai/assistants/{AID}/versions/v-cand",
                json={"id": AID, "version_id": "v-cand", "instructions": instructions})


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_catch_all_canary_rule_waits_for_a_second_admin_who_saves_it(versions_list, team_admin, team_admin_client,
                                                                         bob, two_person):
    api = versions_list
    response = team_admin_client.post(reverse("assistants:canary-save", args=[AID]),
                                      {"r0-mode": "version", "r0-version": "v-cand"})
    request = ApprovalRequest.objects.get(kind="canary")
    assert response.status_code == 302 and response.url.endswith(f"/approvals/{request.pk}/")
    assert not writes(api) and not writes(api, "POST")  # nothing reached callers
    assert request.payload == {"rules": CATCH_ALL, "before": BEFORE} and len(request.digest) == 64
    with pytest.raises(PermissionDenied):
        approvals.approval_approve(user=team_admin, request=request)
    api.put(api.canary, json={"assistant_id": AID, "rules": CATCH_ALL})
    page = client_for(bob).post(reverse("releases:approval-detail", args=[AID, request.pk]),
                                {"decision": "approve"}, follow=True).content.decode()
    assert "Approved and saved" in page and writes(api) == [{"rules": CATCH_ALL}]
    assert ApprovalRequest.objects.get().status == "used"


def test_canary_rules_serving_only_main_need_no_approval(versions_list, team_admin_client, two_person):
    api = versions_list
    api.put(api.canary, json={"assistant_id": AID, "rules": [{"serve": {"version_id": "v-main"}}]})
    team_admin_client.post(reverse("assistants:canary-save", args=[AID]), {"r0-mode": "version", "r0-version": "v-main"})
    assert writes(api) == [{"rules": [{"serve": {"version_id": "v-main"}}]}] and not ApprovalRequest.objects.exists()


def test_canary_approval_is_void_when_the_live_rules_change_before_it_is_used(versions_list, team_admin_client, bob,
                                                                              two_person):
    api = versions_list
    team_admin_client.post(reverse("assistants:canary-save", args=[AID]), {"r0-mode": "version", "r0-version": "v-cand"})
    request = ApprovalRequest.objects.get()
    api.replace(responses.GET, api.canary, json={"assistant_id": AID, "rules": [{"serve": {"version_id": "v-old"}}]})
    with pytest.raises(approvals.ApprovalRefused, match="void"):
        approvals.approval_approve(user=bob, request=request)
    assert ApprovalRequest.objects.get().status == "void" and not writes(api)


def test_an_approved_promotion_is_void_when_the_version_is_edited_before_it_is_used(api, team_admin, bob, two_person):
    decision = promotion_gate(user=team_admin, assistant_id=AID, version_id="v-cand", override_reason="hotfix")
    request = decision.approval
    approvals.approval_approve(user=bob, request=request)
    edit_candidate(api)  # edited in place after Bob looked
    again = promotion_gate(user=bob, assistant_id=AID, version_id="v-cand", override_reason="hotfix")
    assert not again.allowed and again.approval.pk != request.pk  # a fresh request for the new content
    request.refresh_from_db()
    assert request.status == "void" and AuditEvent.objects.filter(action="approval void").exists()


def test_approving_what_changed_since_it_was_asked_is_refused(api, team_admin, bob, two_person):
    request = promotion_gate(user=team_admin, assistant_id=AID, version_id="v-cand", override_reason="x").approval
    edit_candidate(api)
    page = client_for(bob).get(reverse("releases:approval-detail", args=[AID, request.pk])).content.decode()
    assert 'data-testid="content-changed"' in page
    with pytest.raises(approvals.ApprovalRefused, match="void"):
        approvals.approval_approve(user=bob, request=request)


def test_no_plan_step_goes_live_before_a_second_admin_and_an_edit_voids_the_approval(api, make_plan, team_admin, bob,
                                                                                    two_person):
    api.put(api.canary, json={"assistant_id": AID, "rules": []})
    plan = rollout_advance(make_plan(pct(10), pct(25)))
    request = ApprovalRequest.objects.get(kind="plan")
    assert not writes(api) and "second Admin to approve this rollout" in plan.message
    with pytest.raises(PermissionDenied):
        approvals.approval_approve(user=team_admin, request=request)
    approvals.approval_approve(user=bob, request=request)
    plan = rollout_advance(plan)
    assert len(writes(api)) == 2 and plan.status == RolloutPlan.Status.COMPLETED  # no holds: both steps ran

    edit_plan = make_plan(pct(10, hold_seconds=600), pct(25))
    plans_request = rollout_advance(edit_plan) and ApprovalRequest.objects.get(kind="plan", plan=edit_plan)
    approvals.approval_approve(user=bob, request=plans_request)
    edit_plan = rollout_advance(edit_plan)
    assert edit_plan.steps.get(index=0).state == RolloutStep.State.HOLDING
    edit_candidate(api)
    edit_plan = rollout_advance(edit_plan, now=timezone.now() + timedelta(hours=1))
    assert edit_plan.current_step == 1 and edit_plan.steps.get(index=1).state == RolloutStep.State.PENDING
    assert "second Admin to approve this rollout" in edit_plan.message
    assert list(edit_plan.approvals.values_list("status", flat=True)) == ["pending", "void"]


def test_the_starter_cannot_skip_a_step_that_waits_for_approval_but_a_second_admin_can(api, make_plan, team_admin,
                                                                                     bob, two_person):
    api.put(api.canary, json={"assistant_id": AID, "rules": []})
    plan = rollout_advance(make_plan(pct(10, hold_for_approval=True), pct(25, hold_seconds=600)))
    approvals.approval_approve(user=bob, request=ApprovalRequest.objects.get(kind="plan"))
    plan = rollout_advance(plan)
    assert ApprovalRequest.objects.get(kind="step").status == "pending"
    with pytest.raises(PermissionDenied, match="someone else"):
        plans.plan_skip(user=team_admin, plan=plan, step_index=0)
    assert RolloutPlan.objects.get().current_step == 0
    plan = plans.plan_skip(user=bob, plan=plan, step_index=0)
    assert plan.current_step == 1


def test_turning_two_person_approval_off_needs_a_second_admin(api, team_admin, team_admin_client, bob, two_person):
    response = team_admin_client.post(reverse("releases:policy-change", args=[AID]), {})
    request = ApprovalRequest.objects.get(kind="policy")
    assert response.url.endswith(f"/approvals/{request.pk}/") and two_person_required(AID)
    with pytest.raises(PermissionDenied):
        approvals.approval_approve(user=team_admin, request=request)
    assert policy_change(user=team_admin, assistant_id=AID, on=False) == request  # no twin
    client_for(bob).post(reverse("releases:approval-detail", args=[AID, request.pk]), {"decision": "approve"})
    assert not two_person_required(AID) and ApprovalRequest.objects.get().status == "used"


def test_a_rollback_needs_a_second_admin_too(api, team_admin_client, two_person):
    PromotionRecord.objects.create(assistant_id=AID, from_version_id="v-old", to_version_id="v-main")
    response = team_admin_client.post(reverse("assistants:assistant-rollback", args=[AID]), {"idempotency_key": "k"})
    request = ApprovalRequest.objects.get()
    assert response.url.endswith(f"/approvals/{request.pk}/") and request.payload == {"rollback": True}
    assert not any(c.request.url.endswith("/promote") for c in api.calls)


def test_an_expired_request_says_so_and_can_be_asked_again(api, team_admin, bob, two_person):
    request = promotion_gate(user=team_admin, assistant_id=AID, version_id="v-cand", override_reason="x").approval
    ApprovalRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    url = reverse("releases:approval-detail", args=[AID, request.pk])
    page = client_for(bob).get(url).content.decode()
    assert "<strong>Expired</strong>" in page and 'value="ask-again"' in page and 'value="approve"' not in page
    listing = client_for(bob).get(reverse("releases:plan-list", args=[AID])).content.decode()
    assert 'data-testid="expired-approvals"' in listing and 'data-testid="pending-approvals"' not in listing
    response = client_for(bob).post(url, {"decision": "ask-again"})
    fresh = ApprovalRequest.objects.exclude(pk=request.pk).get()
    assert response.url.endswith(f"/approvals/{fresh.pk}/") and fresh.status == "pending"
    assert fresh.requested_by == bob and fresh.override_reason == "x"


def test_invite_links_are_audited_and_the_approval_page_names_who_set_the_password(api, team_admin, team_admin_client,
                                                                                 bob, two_person):
    page = team_admin_client.post(reverse("users:user-invite-link", args=[bob.pk]), follow=True).content.decode()
    link = page.split('id="invite-link-text"')[1].split(">", 1)[1].split("<")[0].strip()  # shown once, with Copy
    assert AuditEvent.objects.filter(action=credentials.LINK_ISSUED, resource_id=str(bob.pk), username=team_admin.username).exists()
    anonymous = Client()
    form = anonymous.get(link, follow=True)
    anonymous.post(form.request["PATH_INFO"], {"new_password1": "a-Long-pass-9917", "new_password2": "a-Long-pass-9917"})
    used = AuditEvent.objects.get(action=credentials.LINK_USED)
    assert used.resource_id == str(bob.pk) and team_admin.username in used.summary
    note = credentials.last_set_by_someone_else(bob)
    assert note.by == team_admin.username and "invite link" in note.how

    request = promotion_gate(user=team_admin, assistant_id=AID, version_id="v-cand", override_reason="x").approval
    bob.refresh_from_db()  # the new password's hash, or the session would not hold
    shown = client_for(bob).get(reverse("releases:approval-detail", args=[AID, request.pk])).content.decode()
    assert 'data-testid="credentials-note"' in shown and "Your password was last set by someone else" in shown


def test_rules_saved_by_hand_pause_a_running_plan_and_resume_applies_its_step_again(versions_list, make_plan,
                                                                                      team_admin, team_admin_client):
    api = versions_list
    api.put(api.canary, json={"assistant_id": AID, "rules": []})
    plan = rollout_advance(make_plan(pct(10, hold_seconds=600)))
    page = team_admin_client.post(reverse("assistants:canary-save", args=[AID]),
                                  {"r0-mode": "version", "r0-version": "v-old"}, follow=True).content.decode()
    plan.refresh_from_db()
    assert plan.status == RolloutPlan.Status.PAUSED
    assert plan.message.startswith(f"Paused: {team_admin.username} saved new canary rules by hand")
    assert f"Rollout plan #{plan.pk}" in page and "saved new canary rules by hand" in page  # said on the canary page
    assert "saved new canary rules by hand" in team_admin_client.get(
        reverse("releases:plan-detail", args=[AID, plan.pk])).content.decode()  # and on the plan page
    plan = plans.plan_resume(user=team_admin, plan=plan)
    keys = [c.request.headers.get("Idempotency-Key") for c in api.calls if c.request.method == "PUT"]
    assert len(keys) == 3 and keys[0] == f"rollout-{plan.pk}-step-0" and keys[2].startswith(f"rollout-{plan.pk}-step-0-r")


def test_a_promotion_by_hand_ends_a_running_plan(api, make_plan, team_admin_client, assistant_json):
    api.put(api.canary, json={"assistant_id": AID, "rules": []})
    api.post(f"{api.base}/ai/assistants/{AID}/versions/v-old/promote", json=assistant_json(1, version_id="v-old"))
    plan = rollout_advance(make_plan(pct(10, hold_seconds=600)))
    page = team_admin_client.post(reverse("assistants:version-promote", args=[AID, "v-old"]),
                                  {"override_reason": "hotfix", "idempotency_key": "k"}, follow=True).content.decode()
    plan.refresh_from_db()
    assert plan.status == RolloutPlan.Status.ABORTED and "promoted version v-old by hand" in plan.message
    assert f"Rollout plan #{plan.pk}" in page and "Ended:" in page


def test_try_in_chat_is_not_offered_while_a_plan_owns_the_canary_rules_and_says_why(api, make_plan, team_admin_client):
    url = reverse("assistants:version-detail", args=[AID, "v-cand"])
    assert 'data-testid="try-in-chat"' in team_admin_client.get(url).content.decode()
    plan = make_plan(pct(10))
    page = team_admin_client.get(url).content.decode()
    assert 'data-testid="try-in-chat"' not in page and f"rollout plan #{plan.pk} (running) owns the canary rules" in page


def test_a_reply_from_another_version_is_said_plainly(api, team_admin, settings):
    from assistants.services import chat

    conv = f"{api.base}/ai/conversations"
    api.post(conv, json={"id": "conv-9"})
    api.get(f"{conv}/conv-9", json={"data": {"id": "conv-9", "metadata": {"assistant_version_id": "v-main"}}})
    api.post(f"{api.base}/ai/assistants/{AID}/chat", json={"content": "Hi"})
    trial = {"match": [{"attribute": "conversation_id", "operator": "in", "values": ["conv-9"]}],
             "serve": {"version_id": "v-cand"}}
    api.get(api.canary, json={"assistant_id": AID, "rules": [trial, *BEFORE]})  # read after the rule was added
    api.put(api.canary, json={"assistant_id": AID, "rules": BEFORE})
    turn = chat.chat_send(user=team_admin, assistant_id=AID, content="Hello", trial_version="v-cand")
    # Each version by its name (from the versions cache), not its id.
    assert turn.version_id == "v-main" and "Telnyx answered with version “revision 2”, not “candidate”" in turn.note
    sent = writes(api)
    assert sent == [{"rules": [trial, *BEFORE]}, {"rules": BEFORE}]  # added in front, then removed
