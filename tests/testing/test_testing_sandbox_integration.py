"""The testing slice end to end over real HTTP against the sandbox (live server)."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from django.urls import reverse

from assistants.services.assistants import assistants_sync
from portal.models import AuditEvent
from portal.telnyx import get_client
from testing.models import AssistantTest, SuiteRun, TestRun

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(sandbox, settings):
    call_command("sandbox_seed", "--demo", verbosity=0)
    settings.SANDBOX_ASYNC_SECONDS = 1.5
    assistants_sync()
    return sandbox


@pytest.fixture
def assistant_id(demo) -> str:
    return next(a["id"] for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Acme Support")


def create_test(client, assistant_id: str, name: str, suite: str = "smoke") -> str:
    form = client.get(reverse("testing:test-add"))
    assert b"Acme Support" in form.content  # the destination picker lists the cached assistants
    response = client.post(reverse("testing:test-add"), {
        "name": name, "destination": assistant_id, "telnyx_conversation_channel": "web_chat",
        "instructions": "Ask about a slow connection. Then say thanks.", "test_suite": suite,
        "idempotency_key": form.context["form"].initial["idempotency_key"],
        "rubric-TOTAL_FORMS": "2", "rubric-INITIAL_FORMS": "0",
        "rubric-0-name": "greets", "rubric-0-criteria": "Greets the customer",
        "rubric-1-name": "troubleshoots", "rubric-1-criteria": "Offers a troubleshooting step",
    })
    assert response.status_code == 302, response.content
    return response.url.rstrip("/").split("/")[-1]


def poll_until_final(client, url: str, limit: float = 15.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        response = client.get(url, headers={"HX-Request": "true"})
        if response.status_code == 286:
            return response
        time.sleep(0.3)
    raise AssertionError(f"{url} never stopped polling")


def test_create_refresh_and_filter_tests(team_admin_client, assistant_id):
    test_id = create_test(team_admin_client, assistant_id, "Slow line")
    assert get_client().get(f"ai/assistants/tests/{test_id}").data["rubric"][1]["name"] == "troubleshoots"
    AssistantTest.objects.all().delete()
    team_admin_client.post(reverse("testing:test-refresh"), headers={"HX-Request": "true"})
    listed = team_admin_client.get(reverse("testing:test-list"), {"suite": "smoke"}).content.decode()
    assert "Slow line" in listed and "1 result" in listed
    assert AuditEvent.objects.filter(action="create", resource_id=test_id, outcome="success").exists()


def test_run_suite_live_page_fills_up_and_keeps_its_state(team_admin_client, operator_client, assistant_id):
    ids = [create_test(team_admin_client, assistant_id, f"Line check {n}") for n in (1, 2, 3)]
    suite_page = operator_client.get(reverse("testing:suite-detail", args=["smoke"]))
    assert b"Main version" in suite_page.content and b"Run suite" in suite_page.content
    response = operator_client.post(reverse("testing:suite-run-trigger", args=["smoke"]),
                                    {"idempotency_key": suite_page.context["run_form"].initial["idempotency_key"]})
    assert response.status_code == 302
    live = operator_client.get(response.url).content.decode()
    assert "of 3 finished" in live and 'hx-trigger="every 2s"' in live

    batch = SuiteRun.objects.get()
    final = poll_until_final(operator_client, reverse("testing:suite-run-status", args=["smoke", batch.batch_id]))
    batch.refresh_from_db()
    upstream = {r["run_id"]: r["status"] for r in get_client().get("ai/assistants/tests/test-suites/smoke/runs").data["data"]}
    assert {TestRun.objects.get(telnyx_id=r).status for r in batch.run_ids} <= {"passed", "failed"}
    assert all(upstream[r] == TestRun.objects.get(telnyx_id=r).status for r in batch.run_ids)
    assert b"3 of 3 finished" in final.content
    assert f"{batch.passed} passed · {batch.failed} failed · 0 errored".encode() in final.content
    assert sorted(TestRun.objects.filter(telnyx_id__in=batch.run_ids).values_list("test_id", flat=True)) == sorted(ids)

    # Leaving and coming back shows the same final state; the suite page counts the run.
    again = operator_client.get(response.url).content.decode()
    assert "3 of 3 finished" in again and "every 2s" not in again
    overview = operator_client.get(reverse("testing:suite-list")).content.decode()
    assert "smoke" in overview and f"{batch.passed}/3 passed" in overview


def test_run_suite_against_a_version_records_it(team_admin_client, operator_client, assistant_id):
    create_test(team_admin_client, assistant_id, "Versioned")
    version = next(v["version_id"] for v in get_client().get(f"ai/assistants/{assistant_id}/versions").data["data"])
    page = operator_client.get(reverse("testing:suite-detail", args=["smoke"]))
    assert version.encode() in page.content
    operator_client.post(reverse("testing:suite-run-trigger", args=["smoke"]),
                         {"version": version, "idempotency_key": page.context["run_form"].initial["idempotency_key"]})
    assert SuiteRun.objects.get().version_id == version


def test_run_now_and_run_detail_show_rubric_and_transcript(team_admin_client, operator_client, assistant_id, settings):
    test_id = create_test(team_admin_client, assistant_id, "Detail check")
    detail = operator_client.get(reverse("testing:test-detail", args=[test_id]))
    key = detail.context["run_form"].initial["idempotency_key"]
    response = operator_client.post(reverse("testing:test-run", args=[test_id]), {"idempotency_key": key})
    assert response.status_code == 302
    final = poll_until_final(operator_client, response.url).content.decode()
    assert "Greets the customer" in final and "Offers a troubleshooting step" in final
    assert 'data-testid="transcript"' in final and "slow connection" in final.lower()
    # Pressing Run now again with the same page (same key) does not start a second run.
    operator_client.post(reverse("testing:test-run", args=[test_id]), {"idempotency_key": key})
    assert len(get_client().get(f"ai/assistants/tests/{test_id}/runs").data["data"]) == 1
    # The history serves the cache at once and polls until every run shown is final.
    history = poll_until_final(operator_client, reverse("testing:test-detail", args=[test_id])).content.decode()
    assert "/2 criteria" in history


def test_suite_trigger_failing_then_retried_makes_one_batch(team_admin_client, operator_client, assistant_id, settings):
    create_test(team_admin_client, assistant_id, "Flaky upstream")
    page = operator_client.get(reverse("testing:suite-detail", args=["smoke"]))
    key = page.context["run_form"].initial["idempotency_key"]
    settings.SANDBOX_FAULTS = "status=503"
    failed = operator_client.post(reverse("testing:suite-run-trigger", args=["smoke"]), {"idempotency_key": key})
    assert b"The suite did not start." in failed.content and key.encode() in failed.content
    assert not SuiteRun.objects.exists()
    settings.SANDBOX_FAULTS = ""
    operator_client.post(reverse("testing:suite-run-trigger", args=["smoke"]), {"idempotency_key": key})
    operator_client.post(reverse("testing:suite-run-trigger", args=["smoke"]), {"idempotency_key": key})
    assert SuiteRun.objects.count() == 1
    assert len(get_client().get("ai/assistants/tests/test-suites/smoke/runs").data["data"]) == 1


def test_running_a_suite_nobody_has_says_so_without_a_telnyx_write(operator_client, sandbox, monkeypatch):
    from portal.telnyx.client import TelnyxClient

    calls, request = [], TelnyxClient.request

    def recorded(self, method, path, **kw):
        calls.append((method, path))
        return request(self, method, path, **kw)

    monkeypatch.setattr(TelnyxClient, "request", recorded)
    response = operator_client.post(reverse("testing:suite-run-trigger", args=["smoke?"]), {"idempotency_key": "k1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("testing:suite-list")
    assert "Telnyx has no test suite named “smoke?”, so nothing was started." in response.content.decode()
    assert not [c for c in calls if c[0] != "GET"] and not SuiteRun.objects.exists()


@pytest.mark.parametrize("action", ["alerts", "schedules/add"])
def test_an_alert_or_schedule_for_a_suite_nobody_has_is_refused_and_not_audited(action, operator_client, sandbox):
    response = operator_client.post(f"/testing/suites/smoke%3F/{action}/", {"kind": "interval", "every_minutes": "60",
                                                                             "threshold_percent": "80"}, follow=True)
    assert "Telnyx has no test suite named “smoke?”" in response.content.decode()
    assert not AuditEvent.objects.exists()
