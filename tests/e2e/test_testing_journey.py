"""An Operator runs a suite and watches it finish; a Viewer can look but not run."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from portal.telnyx import get_client

pytestmark = pytest.mark.django_db(transaction=True)

SUITE = "e2e-smoke"
RUBRIC = [{"name": f"criterion_{i}", "criteria": f"The assistant does thing {i}"} for i in range(1, 5)]


def seed_suite() -> None:
    """Three tests in one suite against a demo assistant, at least one of which the sandbox fails."""
    from sandbox.behaviour.assistant_test_runs import rubric_results  # to pick a test the sandbox will fail
    from sandbox.models import SbAssistant, SbTest

    call_command("sandbox_seed", "--demo", verbosity=0)
    client = get_client()
    assistant = next(a for a in client.get("ai/assistants").data["data"] if a["name"] == "Acme Support")
    main_version = SbAssistant.objects.get(pk=assistant["id"]).main_version_id
    n, failing = 0, 0
    while n < 3 or not failing:
        n += 1
        created = client.post("ai/assistants/tests", json={
            "name": f"Outage call {n}", "destination": assistant["id"], "instructions": "Report an outage. Then say thanks.",
            "rubric": RUBRIC, "test_suite": SUITE, "telnyx_conversation_channel": "web_chat"}).data
        results = rubric_results(SbTest.objects.get(pk=created["test_id"]), main_version)
        failing += any(r["status"] == "failed" for r in results)


def test_operator_runs_a_suite_and_reads_a_failed_run(live_server, sandbox, settings, operator, login, page):
    settings.SANDBOX_ASYNC_SECONDS = 3
    seed_suite()
    login(operator)

    page.locator(".sidebar").get_by_role("link", name="Suites & runs").click()
    suites = page.locator("#changelist-table")
    expect(suites).to_contain_text(SUITE)  # the never-synced list refreshed itself from the sandbox
    page.click(f"#changelist-table >> text={SUITE}")
    expect(page.locator("h1")).to_contain_text(SUITE)

    page.get_by_test_id("run-suite").click()
    progress = page.get_by_test_id("progress")
    expect(page.get_by_test_id("progress-text")).to_contain_text("0 of")
    total = int(progress.get_attribute("aria-valuemax"))
    assert total >= 3
    # Each run moves on while the page polls every 2 s; the bar fills, then polling stops with a summary.
    expect(page.locator('#suite-run-status [data-status="running"]').first).to_be_visible(timeout=10_000)
    expect(progress).to_have_attribute("aria-valuenow", "0")
    expect(page.get_by_test_id("progress-text")).to_have_text(f"{total} of {total} finished", timeout=20_000)
    expect(progress).to_have_attribute("aria-valuenow", str(total))
    expect(page.locator("#suite-run-status")).to_have_attribute("data-final", "true")
    summary = page.get_by_test_id("summary")
    expect(summary).to_contain_text("failed")
    assert " 0 failed" not in summary.inner_text()

    # Leaving and coming back shows the same finished state.
    page.reload()
    expect(page.get_by_test_id("progress-text")).to_have_text(f"{total} of {total} finished")

    page.locator("tr.row-failed a").first.click()
    expect(page.get_by_test_id("run-status")).to_contain_text("failed")
    rubric = page.get_by_test_id("rubric-results")
    expect(rubric).to_contain_text("The assistant does thing 1")
    expect(rubric.locator('[data-status="failed"]').first).to_be_visible()
    expect(page.get_by_test_id("transcript")).to_contain_text("outage", ignore_case=True)
    assert "KEYtest" not in page.content()


def test_viewer_sees_no_run_buttons_and_is_refused_if_posting(live_server, sandbox, viewer, login, page):
    seed_suite()
    login(viewer)
    page.goto(f"{live_server.url}/testing/suites/")
    expect(page.locator("#changelist-table")).to_contain_text(SUITE)
    page.goto(f"{live_server.url}/testing/suites/{SUITE}/")
    expect(page.locator("h1")).to_contain_text(SUITE)
    expect(page.get_by_test_id("run-suite")).to_have_count(0)
    page.goto(f"{live_server.url}/testing/tests/")
    expect(page.locator("#changelist-table")).to_contain_text("Outage call 1")
    expect(page.get_by_test_id("bulk-bar")).to_have_count(0)
    page.click("#changelist-table >> text=Outage call 1")
    expect(page.get_by_test_id("run-now")).to_have_count(0)

    # Posting anyway, with a valid CSRF token, is refused by the role check.
    status = page.evaluate(
        """async (url) => {
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
            const response = await fetch(url, {method: 'POST', headers: {'X-CSRFToken': token}, body: new URLSearchParams({idempotency_key: 'x'})});
            return response.status;
        }""",
        f"/testing/suites/{SUITE}/run/",
    )
    assert status == 403
