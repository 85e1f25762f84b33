"""The release engine acts as itself, and tells people: every plan event by email and to the
Slack-compatible webhook (retried, every attempt shown on the plan page), and a step held for
approval alerts the Admins who can approve it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assistants.models import CanaryConfig
from portal.models import AuditEvent
from releases.models import ApprovalRequest, ReleaseAlert, RolloutPlan
from releases.services import approvals
from releases.services.engine import rollout_advance
from releases.tasks import ALERT_ATTEMPTS

from ..testing.test_alerts import Hook
from .conftest import pct

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager_retries():
    """Inline tasks retry inline only when their errors are not re-raised at once (Celery's apply)."""
    from portal.celery import app

    saved = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = saved


@pytest.fixture
def release_hook(settings):
    servers = []

    def start(fail: int = 0) -> Hook:
        server = Hook(fail)
        servers.append(server)
        settings.RELEASES_ALERT_WEBHOOK_URLS = [server.url]
        return server

    yield start
    for server in servers:
        server.server.shutdown()
        server.server.server_close()


def test_the_engine_acts_as_itself_on_behalf_of_the_admin_who_started_the_plan(api, make_plan, team_admin):
    api.put(api.canary, json={"assistant_id": "x", "rules": []})
    plan = rollout_advance(make_plan(pct(10, hold_seconds=600)))
    assert plan.steps.get().state == "holding"
    engine = f"release engine (started by {team_admin.username})"
    applied = AuditEvent.objects.get(action="step applied")
    assert applied.username == engine and applied.user is None
    canary_write = AuditEvent.objects.get(resource_type="canary_deploy")
    assert canary_write.username == engine and canary_write.user is None
    assert CanaryConfig.objects.filter(username=engine).exists()  # the split history names it too
    client = Client()
    client.force_login(team_admin)
    assert engine in client.get(reverse("audit")).content.decode()  # the audit log says who acted


def test_the_engine_stops_acting_for_a_starter_who_lost_the_admin_role(api, make_plan, team_admin):
    team_admin.groups.set([Group.objects.get(name="Viewer")])
    plan = rollout_advance(make_plan(pct(10)))
    assert plan.status == RolloutPlan.Status.PAUSED and "who can no longer administer" in plan.message
    assert not [c for c in api.calls if c.request.method == "PUT"]  # nothing was sent to Telnyx


def test_an_abort_alerts_by_email_and_webhook_retrying_until_delivered(api, make_plan, settings, release_hook):
    settings.RELEASES_ALERT_EMAILS = ["oncall@example.com"]
    hook = release_hook(fail=2)
    api.put(api.canary, status=503, json={"errors": [{"title": "Service unavailable"}]})
    plan = make_plan(pct(10))
    for _ in range(3):
        plan = rollout_advance(plan)
    assert plan.status == RolloutPlan.Status.PAUSED
    email = ReleaseAlert.objects.get(channel="email")
    webhook = ReleaseAlert.objects.get(channel="webhook")
    assert email.status == "delivered" and mail.outbox[-1].to == ["oncall@example.com"]
    assert webhook.status == "delivered" and webhook.attempts == 3
    assert [a["ok"] for a in webhook.attempt_log] == [False, False, True]
    assert "HTTP 500" in webhook.attempt_log[0]["error"]
    body = hook.received[-1]
    assert body["event"] == "paused" and "Paused after 3 failed attempts" in body["text"]
    assert body["url"].endswith(reverse("releases:plan-detail", args=[plan.assistant_id, plan.pk]))


def test_a_webhook_that_never_answers_is_failed_after_the_last_attempt_and_shown(api, make_plan, settings, release_hook,
                                                                                  team_admin_client):
    release_hook(fail=99)
    settings.RELEASES_ALERT_EMAILS = []
    api.put(api.canary, status=503, json={"errors": [{"title": "Service unavailable"}]})
    plan = make_plan(pct(10))
    for _ in range(3):
        plan = rollout_advance(plan)
    webhook = ReleaseAlert.objects.get(channel="webhook")
    assert webhook.status == "failed" and webhook.attempts == ALERT_ATTEMPTS
    page = team_admin_client.get(reverse("releases:plan-detail", args=[plan.assistant_id, plan.pk])).content.decode()
    assert 'data-testid="release-alerts"' in page and "Failed" in page
    assert f"{ALERT_ATTEMPTS} attempts" in page and "The webhook answered HTTP 500" in page


def test_a_step_held_for_approval_alerts_the_admins_who_can_approve_it(api, make_plan, team_admin, django_user_model,
                                                                          settings, release_hook):
    hook = release_hook()
    settings.RELEASES_TWO_PERSON_APPROVAL = True
    team_admin.email = "starter@example.com"
    team_admin.save()
    other = django_user_model.objects.create_user("second", email="second@example.com", password="x-Pass-12345")
    other.groups.set([Group.objects.get(name="Admin")])
    api.put(api.canary, json={"assistant_id": "x", "rules": []})
    plan = make_plan(pct(10, hold_seconds=0, hold_for_approval=True))
    rollout_advance(plan)  # first the rollout itself waits for a second Admin
    approvals.approval_approve(user=other, request=ApprovalRequest.objects.get(kind="plan"))
    mail.outbox.clear()
    ReleaseAlert.objects.all().delete()
    hook.received.clear()
    rollout_advance(plan)
    plan = rollout_advance(plan, now=timezone.now() + timedelta(seconds=5))  # asked once, not per advance
    approval = ApprovalRequest.objects.get(kind="step")
    assert approval.status == "pending" and "waits for an Admin's approval" in plan.message
    alerts = ReleaseAlert.objects.filter(event="approval needed")
    assert {a.channel for a in alerts} == {"email", "webhook"} and len(alerts) == 2
    assert [m.to for m in mail.outbox] == [["second@example.com"]]  # not the starter, who cannot approve
    link = reverse("releases:approval-detail", args=[plan.assistant_id, approval.pk])
    assert link in mail.outbox[0].body and hook.received[0]["url"].endswith(link)
