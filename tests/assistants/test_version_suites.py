"""Running a test suite against one assistant version from the version's page."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from portal.telnyx import get_client
from testing import selectors as testing_selectors
from testing.models import AssistantTest, SuiteRun
from testing.services import assistant_tests

pytestmark = pytest.mark.django_db(transaction=True)


def test_operator_runs_a_suite_against_a_staged_version_and_sees_its_results(operator_client, sandbox, settings):
    settings.SANDBOX_ASYNC_SECONDS = 0
    call_command("sandbox_seed", "--demo", verbosity=0)
    assert assistant_tests.tests_sync().ok
    test = AssistantTest.objects.exclude(test_suite="").exclude(destination="").first()
    # A suite runs against its destination assistant: the one its first test calls.
    assistant_id = testing_selectors.suite_destination(test.test_suite)
    staged = get_client().post(f"ai/assistants/{assistant_id}", json={"instructions": "Staged wording.", "promote_to_main": False,
                                                                     "version_name": "staged"}).data
    version_id = staged["version_id"]

    page = operator_client.get(reverse("assistants:version-detail", args=[assistant_id, version_id])).content.decode()
    assert f"Run “{test.test_suite}”" in page and "No suite has been run against this version" in page
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]

    response = operator_client.post(reverse("testing:suite-run-trigger", args=[test.test_suite]),
                                    {"version": version_id, "idempotency_key": key})
    assert response.status_code == 302
    batch = SuiteRun.objects.get()
    assert batch.version_id == version_id and batch.total >= 1

    page = operator_client.get(reverse("assistants:version-detail", args=[assistant_id, version_id])).content.decode()
    assert test.test_suite in page and "No suite has been run against this version" not in page


def test_viewer_sees_results_but_no_run_buttons(viewer_client, sandbox):
    call_command("sandbox_seed", "--demo", verbosity=0)
    assistant_tests.tests_sync()
    test = AssistantTest.objects.exclude(test_suite="").exclude(destination="").first()
    versions = get_client().get(f"ai/assistants/{test.destination}/versions").data["data"]
    page = viewer_client.get(reverse("assistants:version-detail", args=[test.destination, versions[0]["version_id"]])).content.decode()
    assert "Test suites against this version" in page and f"Run “{test.test_suite}”" not in page
