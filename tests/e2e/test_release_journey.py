"""Two Admins and a rollout: one plans and starts it with two-person approval on, and nothing
goes live while she cannot approve her own request; the other logs in separately, reads the
diff against main and approves; the canary moves on and the release timeline tells the story."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from portal.telnyx import get_client
from tests.conftest import _user_with_role

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-only")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_second_admin_approves_a_held_rollout_step(live_server, sandbox, team_admin, login, page, browser):
    call_command("sandbox_seed", "--demo", verbosity=0)
    sales = next(a for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Sales Qualifier")
    base = live_server.url
    bob = _user_with_role("bob_admin", "Admin")

    # Ada turns two-person approval on for this assistant and plans a 20% → 50% rollout.
    login(team_admin)
    page.goto(f"{base}/assistants/{sales['id']}/")
    page.locator(".tabs").get_by_role("link", name="Release timeline").click()
    page.get_by_role("link", name="Rollout plans").click()
    page.check("input[name=two_person_approval]")
    page.click("button:has-text('Save')")
    expect(page.get_by_test_id("two-person")).to_have_text("on")
    page.fill("#id_weights", "20, 50")
    page.fill("#id_hold_minutes", "0")
    page.check("#id_hold_for_approval")
    page.uncheck("#id_live_gate")
    page.uncheck("#id_promote")
    page.uncheck("#id_tests_gate")
    page.click("button:has-text('Save plan as draft')")
    expect(page.get_by_test_id("plan-status")).to_have_text("Draft")
    page.click("button:has-text('Start rollout')")
    expect(page.get_by_test_id("plan-status")).to_have_text("Running")
    expect(page.get_by_test_id("plan-message")).to_contain_text("Waiting for a second Admin to approve this rollout")

    # Ada cannot approve her own request: nothing has gone live yet.
    page.get_by_role("link", name="Rollout plan").last.click()
    approval_url = page.url
    expect(page.get_by_test_id("own-request")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)

    # Bob, in his own browser session, sees the diff against main and approves the rollout.
    other = browser.new_context(viewport={"width": 1366, "height": 900})
    bob_page = other.new_page()
    bob_page.set_default_timeout(15_000)
    _log_in(bob_page, base, bob.username)
    bob_page.goto(approval_url)
    expect(bob_page.get_by_test_id("approval-status")).to_contain_text("Waiting for approval")
    expect(bob_page.get_by_test_id("instructions-diff")).to_be_visible()
    bob_page.fill("#comment", "greeting reads well")
    bob_page.click("button:has-text('Approve')")
    expect(bob_page.locator(".message-success")).to_contain_text("Approved")
    expect(bob_page.get_by_test_id("approval-status")).to_contain_text("Carried out by bob_admin: “greeting reads well”")
    rollout = get_client().get(f"ai/assistants/{sales['id']}/canary-deploys").data["rules"][0]["serve"]["rollout"]
    assert rollout[0]["weight"] == 20.0  # step 1 is live, held for its own approval

    # The timeline, newest first: Bob's approval, the step, who did what.
    bob_page.goto(f"{base}/assistants/{sales['id']}/releases/")
    timeline = bob_page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Approved the rollout of version")
    expect(timeline).to_contain_text("bob_admin")
    expect(timeline).to_contain_text("20% of traffic is live")
    expect(timeline.locator(".split-bar").first).to_be_visible()
    other.close()

    # Back with Ada: the canary page shows the rollout and can abort it, restoring no canary.
    page.goto(f"{base}/assistants/{sales['id']}/canary/")
    card = page.get_by_test_id("rollout-card")
    expect(card).to_contain_text("Rollout in progress")
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Abort").click()
    expect(page.locator(".message-success")).to_contain_text("Aborted")
    expect(page.get_by_test_id("canary-status")).to_contain_text("No canary deploy")
