"""A failed real conversation becomes a test; the test fails on main, passes on a new version,
and the comparison of the two suite runs shows it as improved."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from portal.telnyx import get_client

pytestmark = pytest.mark.django_db(transaction=True)

SUITE = "Real calls"


def failed_conversation(assistant_id: str) -> str:
    """A demo conversation of the assistant whose quality insight says it was not resolved (its
    version given the sandbox's full quality penalty, so the insight fails whatever the seed)."""
    from sandbox.behaviour.quality import quality, score_version
    from sandbox.models import SbConversation, SbVersion

    found = next(c for c in SbConversation.objects.filter(assistant_id=assistant_id).order_by("-created_at")[:300]
                 if c.messages.filter(role="user").exists() and c.messages.filter(role="assistant").exists()
                 and c.assistant_version_id)
    score_version(SbVersion.objects.get(pk=found.assistant_version_id), 1.0)
    assert not quality(found)["resolved"]
    return found.pk


def name_failing_on_main_passing_on(rubric: list[str], main: str, candidate: str) -> str:
    """A test name the sandbox's deterministic grader fails on main and passes on the candidate."""
    from sandbox.behaviour.assistant_test_runs import PASS_PERCENT, _score

    def passes(name, version):
        return all(_score(name, version, item) < PASS_PERCENT for item in rubric)

    return next(f"Caller could not cancel ({n})" for n in range(1, 5000)
                if not passes(f"Caller could not cancel ({n})", main) and passes(f"Caller could not cancel ({n})", candidate))


def run_suite(page, version_label: str = ""):
    if version_label:
        page.select_option("#id_version", label=version_label)
    page.get_by_test_id("run-suite").click()
    expect(page.get_by_test_id("progress-text")).to_have_text("1 of 1 finished", timeout=20_000)


def test_failed_call_becomes_a_test_that_a_new_version_fixes(live_server, sandbox, settings, team_admin, login, page):
    settings.SANDBOX_ASYNC_SECONDS = 2
    call_command("sandbox_seed", "--demo", verbosity=0)
    client = get_client()
    acme = next(a for a in client.get("ai/assistants").data["data"] if a["name"] == "Acme Support")
    conversation = failed_conversation(acme["id"])
    candidate = client.post(f"ai/assistants/{acme['id']}", json={
        "instructions": acme["instructions"] + "\nAlways offer to cancel a booking.", "promote_to_main": False,
        "version_name": "cancel fix"}).data
    login(team_admin)

    page.goto(f"{live_server.url}/conversations/{conversation}/")
    page.get_by_test_id("make-test").click()
    expect(page.get_by_test_id("draft-origin")).to_contain_text("Drafted from the conversation")
    expect(page.locator("#id_telnyx_conversation_channel")).to_have_value("web_chat")
    rubric = [page.locator(f"#id_rubric-{i}-name").input_value() for i in range(page.get_by_test_id("rubric-row").count())]
    assert any(name.endswith("resolved") for name in rubric)  # the insight flag the real call failed
    page.fill("#id_name", name_failing_on_main_passing_on(rubric, acme["version_id"], candidate["version_id"]))
    page.fill("#id_test_suite", SUITE)
    page.locator("form.form-card button.btn-primary", has_text="Create test").click()
    expect(page.get_by_test_id("test-origin")).to_contain_text("Made from the conversation")

    page.goto(f"{live_server.url}/testing/suites/{SUITE}/")
    run_suite(page)
    expect(page.get_by_test_id("summary")).to_contain_text("0 passed")
    page.get_by_test_id("back-to-suite").click()
    run_suite(page, version_label=f"cancel fix · {candidate['version_id'][:8]}")
    expect(page.get_by_test_id("summary")).to_contain_text("1 passed")

    page.get_by_test_id("compare-main").click()
    expect(page.get_by_test_id("compare-counts")).to_contain_text("1 improved")
    row = page.get_by_test_id("compare-row").first
    expect(row).to_have_attribute("data-outcome", "improved")
    row.get_by_test_id("show-transcripts").click()
    expect(page.get_by_test_id("transcripts")).to_contain_text("Grader")
