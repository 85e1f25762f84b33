"""Release pages: the plan form, plan page, Admin actions, approval page, timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
import responses
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from releases.models import ApprovalRequest, RolloutPlan
from testing.models import AssistantTest, SuiteRun

from .conftest import AID, pct

pytestmark = pytest.mark.django_db


def test_admin_makes_a_plan_from_the_form(versions, team_admin_client):
    url = reverse("releases:plan-list", args=[AID])
    page = team_admin_client.get(url).content.decode()
    assert "New rollout plan" in page and 'value="v-cand"' in page and 'value="v-main"' not in page
    response = team_admin_client.post(url, {
        "candidate": "v-cand", "pin_prefix": "+1555", "weights": "10, 25, 50", "hold_minutes": "30",
        "live_gate": "on", "promote": "on", "tests_gate": "on", "suite_threshold": "90", "suite_trials": "3", "min_sample": "30", "alpha": "0.05"})
    plan = RolloutPlan.objects.get()
    assert response.status_code == 302 and response.url == reverse("releases:plan-detail", args=[AID, plan.pk])
    steps = list(plan.steps.values_list("kind", "weight", "hold_seconds", "gate_tests", "gate_live"))
    assert steps == [("pin", None, 1800, True, False), ("percent", 10, 1800, False, True),
                     ("percent", 25, 1800, False, True), ("percent", 50, 1800, False, True), ("promote", None, 0, False, False)]
    assert plan.suite_threshold == 0.9 and plan.status == "draft"


def test_a_bad_plan_form_keeps_what_was_typed(versions, team_admin_client):
    response = team_admin_client.post(reverse("releases:plan-list", args=[AID]), {
        "candidate": "v-cand", "weights": "25, 10", "hold_minutes": "5", "suite_threshold": "90", "min_sample": "30",
        "alpha": "0.05"})
    page = response.content.decode()
    assert "Each step must give the candidate more traffic than the one before." in page and 'value="25, 10"' in page
    assert not RolloutPlan.objects.exists()


def test_plan_page_shows_steps_and_actions_and_a_viewer_cannot_act(api, make_plan, team_admin_client, viewer_client):
    plan = make_plan(pct(10, hold_seconds=60), pct(25))
    page = team_admin_client.get(reverse("releases:plan-detail", args=[AID, plan.pk])).content.decode()
    assert "10% of traffic" in page and "25% of traffic" in page and "Pause" in page and "Skip step 1" in page
    viewer_page = viewer_client.get(reverse("releases:plan-detail", args=[AID, plan.pk])).content.decode()
    assert "Pause" not in viewer_page
    assert viewer_client.post(reverse("releases:plan-action", args=[AID, plan.pk, "pause"])).status_code == 403


def test_pause_from_the_canary_page_comes_back_to_it(api, make_plan, team_admin_client):
    plan = make_plan(pct(10))
    canary = reverse("assistants:canary-detail", args=[AID])
    response = team_admin_client.post(reverse("releases:plan-action", args=[AID, plan.pk, "pause"]), {"next": canary})
    assert response.url == canary
    plan.refresh_from_db()
    assert plan.status == "paused"
    response = team_admin_client.post(reverse("releases:plan-action", args=[AID, plan.pk, "pause"]),
                                      {"next": "https://evil.example/"}, follow=True)
    assert "The plan is paused now; reload the page." in response.content.decode()


def test_approval_page_shows_the_diff_and_refuses_the_requester(api, team_admin, team_admin_client):
    api.replace(responses.GET, f"{api.base}/ai/assistants/{AID}/versions/v-cand",
                json={"version_id": "v-cand", "version_name": "candidate", "instructions": "Be brief. Offer a callback."})
    now = timezone.now()
    request = ApprovalRequest.objects.create(assistant_id=AID, version_id="v-cand", kind="promotion", requested_by=team_admin,
                                             requested_by_name=team_admin.username, requested_at=now,
                                             expires_at=now + timedelta(hours=1), needs_second_admin=True)
    url = reverse("releases:approval-detail", args=[AID, request.pk])
    page = team_admin_client.get(url).content.decode()
    assert 'data-testid="own-request"' in page and "Offer a callback." in page and "Approve" not in page.split("Diff")[0].split("own-request")[1][:200]
    team_admin_client.post(url, {"decision": "approve"})
    request.refresh_from_db()
    assert request.status == "pending"


def test_timeline_shows_the_runs_of_this_assistants_suites_only_in_queries_that_do_not_grow_with_suites(
        api, make_plan, team_admin_client):
    """The suite runs are tested run by run (a suite with a test calling this assistant), not read
    through a list of every suite name: another assistant's suite stays out, and 40 more suites
    with their runs add no query."""
    now = timezone.now()
    AssistantTest.objects.create(telnyx_id="t1", name="greets", destination=AID, test_suite="smoke", synced_at=now)
    AssistantTest.objects.create(telnyx_id="t2", name="other", destination="asst-other", test_suite="elsewhere", synced_at=now)
    AssistantTest.objects.create(telnyx_id="t3", name="loose", destination=AID, test_suite="", synced_at=now)
    SuiteRun.objects.create(batch_id="b1", suite="smoke", run_ids=[], started_at=now - timedelta(hours=1), status="passed")
    SuiteRun.objects.create(batch_id="b2", suite="elsewhere", run_ids=[], started_at=now, status="passed")
    SuiteRun.objects.create(batch_id="b3", suite="", run_ids=[], started_at=now, status="passed")
    url = reverse("releases:timeline", args=[AID])
    team_admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        page = team_admin_client.get(url).content.decode()
    assert "Suite “smoke” ran" in page and "elsewhere" not in page and "Suite “” ran" not in page
    for n in range(40):
        AssistantTest.objects.create(telnyx_id=f"t-more-{n}", name=f"more {n}", destination=AID, test_suite=f"more-{n}", synced_at=now)
        SuiteRun.objects.create(batch_id=f"b-more-{n}", suite=f"more-{n}", run_ids=[], started_at=now - timedelta(minutes=n),
                                status="passed")
    with CaptureQueriesContext(connection) as many:
        page = team_admin_client.get(url).content.decode()
    assert "Suite “more-0” ran" in page and "elsewhere" not in page
    assert len(many) <= len(few)  # a page without some kind of entry skips its lookup


def test_timeline_lists_every_kind_newest_first_with_constant_queries(api, make_plan, team_admin, team_admin_client):
    plan = make_plan(pct(10))
    AssistantTest.objects.create(telnyx_id="t1", name="greets", destination=AID, test_suite="smoke", synced_at=timezone.now())
    SuiteRun.objects.create(batch_id="b1", suite="smoke", version_id="v-cand", run_ids=[], started_at=timezone.now(),
                            status="passed", total=4, passed=4)
    from assistants.services.canary import RESOURCE_TYPE
    AuditEvent.objects.create(user=team_admin, username="admin", action="update", resource_type=RESOURCE_TYPE,
                              resource_id=AID, summary="Updated the canary deploy",
                              changes={"rules": {"before": None, "after": [{"serve": {"rollout": [{"version_id": "v-cand", "weight": 10}]}}]}})
    from releases.models import GateResult
    GateResult.objects.create(plan=plan, step=plan.steps.get(), kind="live", verdict="fail", summary="worse on score",
                              details={"counts": {"v-cand": 30}, "metrics": []}, evaluated_at=timezone.now())
    url = reverse("releases:timeline", args=[AID])
    page = team_admin_client.get(url).content.decode()
    assert "Suite “smoke” ran on candidate" in page and "4 of 4 passed (100%)" in page
    assert "Updated the canary deploy" in page and 'class="split-bar split-bar-small"' in page
    assert "Live traffic gate: Fail" in page and "Version “candidate” created" in page
    assert page.index("Live traffic gate") < page.index("Version “candidate” created")  # newest first
    with CaptureQueriesContext(connection) as few:
        team_admin_client.get(url)  # the second request: no first-request session work counted
    for n in range(60):
        AuditEvent.objects.create(username="admin", action="step applied", resource_type="release", resource_id=AID,
                                  summary=f"event {n}")
    with CaptureQueriesContext(connection) as many:
        page = team_admin_client.get(url).content.decode()
    # 5 events or 65: no more queries (a page with fewer kinds of entry skips those lookups).
    assert len(many) <= len(few) <= 18
    assert "page 1</span>" in page and "Older ›" in page and "Newer" not in page
    assert "event 59" in page and "event 20" not in page
    second = team_admin_client.get(url + "?page=2").content.decode()
    assert "event 20" in second and "event 59" not in second and "‹ Newer" in second and "Older ›" in second
    # The oldest page: what the others held is not repeated, and there is nothing older.
    third = team_admin_client.get(url + "?page=3").content.decode()
    assert "event 0" in second and "step applied" not in third and "Older ›" not in third
    assert "Updated the canary deploy" in third and "Version “candidate” created" in third
