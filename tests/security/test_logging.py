"""One log line per event at the right level: a 403 without a traceback, no warning for an
expected 404 (an assistant without a canary), one line per sandbox call."""

from __future__ import annotations

import logging

import pytest
from django.core.management import call_command

from portal.gunicorn_logging import AccessLogWithoutSandbox

pytestmark = pytest.mark.django_db(transaction=True)


def _lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.INFO]


def test_a_normal_403_logs_one_line_without_traceback(viewer_client, caplog):
    caplog.set_level(logging.INFO)
    assert viewer_client.post("/assistants/add/", {"name": "x"}).status_code == 403
    lines = _lines(caplog)
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert lines[0].levelno == logging.WARNING and not lines[0].exc_info
    assert "Traceback" not in caplog.text


def test_an_assistant_without_canary_logs_no_warning_and_one_line_per_sandbox_call(sandbox, team_admin_client, caplog):
    call_command("sandbox_seed", "--demo", verbosity=0)
    from portal.telnyx import get_client

    created = get_client().post("ai/assistants", json={"name": "No canary", "model": "meta-llama/Meta-Llama-3.1-8B-Instruct", "instructions": "Hi."})
    assistant_id = created.data["id"]
    caplog.set_level(logging.INFO)
    response = team_admin_client.get(f"/assistants/{assistant_id}/canary/")
    assert response.status_code == 200
    lines = _lines(caplog)
    assert not [r for r in lines if r.levelno >= logging.WARNING], [r.getMessage() for r in lines]
    calls = [r for r in lines if r.name == "portal.telnyx"]
    assert any("canary-deploys status=404" in r.getMessage() for r in calls)
    assert len(lines) == len(calls), [r.getMessage() for r in lines]  # nothing but one line per call


def test_gunicorn_access_log_skips_sandbox_requests(caplog):
    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", "-")
    logger = AccessLogWithoutSandbox(cfg)
    written = []
    logger.access_log.info = lambda fmt, atoms: written.append(atoms["U"])

    class Resp:
        status = "200 OK"
        sent = 2
        headers = []
        response_length = 2

    class Req:
        headers = []
        method, path, query, version = "GET", "/", "", (1, 1)
        uri = "/"

    from datetime import timedelta

    for path in ("/sandbox/v2/ai/assistants", "/assistants/"):
        logger.access(
            Resp(),
            Req(),
            {
                "PATH_INFO": path,
                "REQUEST_METHOD": "GET",
                "RAW_URI": path,
                "SERVER_PROTOCOL": "HTTP/1.1",
                "QUERY_STRING": "",
            },
            timedelta(seconds=0.01),
        )
    assert written == ["/assistants/"]
