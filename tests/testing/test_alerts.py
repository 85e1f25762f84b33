"""Suite alerts: the rule on the suite page, which finished runs alert, email and a
Slack-compatible webhook (a local HTTP server on 127.0.0.1), retries and what the page shows."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import responses
from django.core import mail
from django.urls import reverse

from portal.models import AuditEvent
from testing.models import AlertAttempt, AlertDelivery, SuiteAlert
from testing.services import alerts as services
from testing.services.suites import summarize
from testing.tasks import ALERT_ATTEMPTS

from .test_testing_suites import make_batch, mock_history, suite  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


class Hook:
    """A webhook receiver on 127.0.0.1 that fails the first `fail` requests with HTTP 500."""

    def __init__(self, fail: int = 0):
        self.fail, self.received = fail, []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                hook.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                status = 500 if len(hook.received) <= hook.fail else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/slack"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def hook(settings):
    servers = []

    def start(fail: int = 0) -> Hook:
        server = Hook(fail)
        servers.append(server)
        settings.ALERT_WEBHOOK_URLS = [server.url]
        return server

    yield start
    for server in servers:
        server.server.shutdown()
        server.server.server_close()


@pytest.fixture(autouse=True)
def eager_retries():
    """Inline tasks retry inline only when their errors are not re-raised at once (Celery's apply)."""
    from portal.celery import app

    saved = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = saved


def finish(n: int, **counts):
    return make_batch(n, **counts)


@responses.activate
def test_operator_sets_alerts_on_the_suite_page_and_it_is_audited(operator_client, telnyx_base, suite, hook):
    server = hook()
    response = operator_client.post(reverse("testing:alert-save", args=["booking"]), {
        "threshold_percent": "80", "on_error": "on", "email_to": "qa@example.com, lead@example.com", "webhook_url": server.url})
    assert response.status_code == 302
    alert = SuiteAlert.objects.get(suite="booking")
    assert alert.recipients == ["qa@example.com", "lead@example.com"] and alert.threshold_percent == 80 and alert.on_error
    assert AuditEvent.objects.get(action="update").summary == "Changed the alerts of suite “booking”"
    mock_history(telnyx_base)
    page = operator_client.get(reverse("testing:suite-detail", args=["booking"]) + "?tab=alerts").content.decode()
    assert "A finished run below 80% passed or with a test run in error alerts qa@example.com, lead@example.com and the webhook" in page


@responses.activate
def test_bad_recipients_or_an_unconfigured_webhook_are_field_errors(operator_client, viewer_client, telnyx_base, suite, hook):
    hook()
    mock_history(telnyx_base)
    response = operator_client.post(reverse("testing:alert-save", args=["booking"]), {
        "threshold_percent": "80", "email_to": "qa@example.com, not-an-address", "webhook_url": "http://10.0.0.5/steal"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Not an email address: not-an-address" in page and "Select a valid choice" in page
    assert 'value="qa@example.com, not-an-address"' in page
    assert not SuiteAlert.objects.exists()
    assert viewer_client.post(reverse("testing:alert-save", args=["booking"]), {"threshold_percent": "5"}).status_code == 403


def test_a_run_below_the_threshold_emails_the_suite_pass_rate_and_a_link(settings, suite, django_capture_on_commit_callbacks):
    settings.PORTAL_BASE_URL = "https://portal.example.com"
    SuiteAlert.objects.create(suite="booking", threshold_percent=80, email_to="qa@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        finish(1, passed=3)  # 100%: no alert
        low = finish(2, passed=1, failed=2, version="ver-a")
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["qa@example.com"]
    assert "Suite “booking”: pass rate 33% is below 80%" in email.subject
    assert "on ver-a" in email.body and "1/3 passed" in email.body
    assert f"https://portal.example.com/testing/suites/booking/runs/{low.batch_id}/" in email.body
    assert AlertDelivery.objects.get().status == "delivered"


def test_on_error_alerts_even_when_the_pass_rate_is_fine_and_only_once_per_run(suite, django_capture_on_commit_callbacks):
    SuiteAlert.objects.create(suite="booking", on_error=True, email_to="qa@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        run = finish(1, passed=2, errored=1)
        run.status = "running"  # the page's poll and the tracking task both saw it finish
        summarize(run)
    assert len(mail.outbox) == 1 and "1 test run ended in error" in mail.outbox[0].subject


def test_a_webhook_alert_is_slack_compatible_and_retried_until_delivered(operator_client, suite, hook, telnyx_base, django_capture_on_commit_callbacks):
    server = hook(fail=2)
    SuiteAlert.objects.create(suite="booking", threshold_percent=90, webhook_url=server.url)
    with django_capture_on_commit_callbacks(execute=True):
        run = finish(1, passed=1, failed=1)
    assert len(server.received) == 3
    body = server.received[-1]
    assert body["text"].startswith("Suite “booking” on main version: pass rate 50% is below 90% — 1/2 passed")
    assert {k: body[k] for k in ("suite", "version", "pass_rate", "passed", "total")} == {
        "suite": "booking", "version": "main", "pass_rate": 0.5, "passed": 1, "total": 2}
    assert body["url"].endswith(f"/testing/suites/booking/runs/{run.batch_id}/")
    delivery = AlertDelivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 3
    assert [a.ok for a in AlertAttempt.objects.all()] == [False, False, True]
    with responses.RequestsMock() as mocked:
        mocked.get(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs", json={"data": [], "meta": {"total_pages": 1}})
        page = operator_client.get(reverse("testing:suite-detail", args=["booking"]) + "?tab=alerts").content.decode()
    assert "Delivered" in page and "3 attempts" in page


def test_names_from_telnyx_never_become_slack_mentions_or_links(settings, hook, django_capture_on_commit_callbacks):
    server = hook()
    settings.PORTAL_BASE_URL = "https://portal.example.com"
    name = "<!channel> & <https://evil.example|click here>"
    SuiteAlert.objects.create(suite=name, threshold_percent=90, webhook_url=server.url, email_to="qa@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        make_batch(1, passed=0, failed=1, suite=name, version="<@U024BE7LH>")
    text = server.received[-1]["text"]
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|click here&gt;" in text and "on &lt;@U024BE7LH&gt;" in text
    assert "<" not in text and ">" not in text
    assert "https://portal.example.com/testing/suites/" in text  # the real link is still a bare URL Slack links
    assert name in mail.outbox[-1].body  # email shows the name as typed


def test_an_alert_that_cannot_be_delivered_is_shown_failed_with_the_error_in_words(
    operator_client, suite, hook, telnyx_base, django_capture_on_commit_callbacks
):
    server = hook(fail=100)
    SuiteAlert.objects.create(suite="booking", threshold_percent=90, webhook_url=server.url)
    with django_capture_on_commit_callbacks(execute=True):
        finish(1, passed=0, failed=2)
    delivery = AlertDelivery.objects.get()
    assert (delivery.status, delivery.attempts, len(server.received)) == ("failed", ALERT_ATTEMPTS, ALERT_ATTEMPTS)
    assert delivery.last_error == "The webhook answered HTTP 500 (Internal Server Error)."
    with responses.RequestsMock() as mocked:
        mocked.get(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs", json={"data": [], "meta": {"total_pages": 1}})
        page = operator_client.get(reverse("testing:suite-detail", args=["booking"]) + "?tab=alerts").content.decode()
    assert "Failed" in page and "The webhook answered HTTP 500 (Internal Server Error)." in page


def test_an_unreachable_webhook_is_retrying_with_a_plain_error(suite, settings):
    settings.ALERT_WEBHOOK_URLS = ["http://127.0.0.1:9/nothing-listens"]
    SuiteAlert.objects.create(suite="booking", threshold_percent=90, webhook_url="http://127.0.0.1:9/nothing-listens")
    run = finish(1, passed=0, failed=1)
    delivery = AlertDelivery.objects.get(suite_run=run)
    assert services.alert_attempt(delivery, last_try=False).startswith("Could not reach the webhook:")
    assert AlertDelivery.objects.get().status == "retrying"


def test_an_old_run_first_seen_finished_in_the_history_does_not_alert(suite, telnyx_base, run_json):
    SuiteAlert.objects.create(suite="booking", threshold_percent=90, email_to="qa@example.com")
    from testing.services.suites import suite_history_sync

    with responses.RequestsMock() as mocked:
        mocked.get(f"{telnyx_base}/ai/assistants/tests/test-suites/booking/runs", json={
            "data": [run_json("r1", status="failed", test_suite_run_id="old")], "meta": {"total_pages": 1}})
        suite_history_sync(suite_name="booking")
    assert not AlertDelivery.objects.exists()
