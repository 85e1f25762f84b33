"""core.writes.telnyx_write and core.cache.cache_put: Telnyx first, then cache + audit at once."""

from __future__ import annotations

import pytest

from core.cache import cache_put
from core.writes import telnyx_write
from mcp_servers.models import McpServer
from portal.models import AuditEvent
from portal.telnyx import TelnyxResponse, UnprocessableEntityError
from portal.telnyx.errors import ErrorDetail

pytestmark = pytest.mark.django_db


def fields(item: dict) -> dict:
    return {"telnyx_id": item["id"], "name": item["name"]}


def put(response: TelnyxResponse):
    return cache_put(McpServer, response.data, fields)


def write(call, **kw):
    return telnyx_write(call, user=None, action="create", resource_type="mcp_server", label="Docs",
                        summary="Created “Docs”", store=put, **kw)


def test_cache_put_inserts_then_updates_one_row_with_the_whole_payload():
    cache_put(McpServer, {"id": "m1", "name": "Docs", "url": "u"}, fields)
    row = cache_put(McpServer, {"id": "m1", "name": "Docs v2"}, fields, type="sse")
    assert McpServer.objects.count() == 1
    assert (row.name, row.type, row.payload) == ("Docs v2", "sse", {"id": "m1", "name": "Docs v2"})


def test_success_stores_telnyx_answer_and_audits_its_status_and_request_id(team_admin):
    response = telnyx_write(lambda: TelnyxResponse(status=201, data={"id": "m1", "name": "Docs"}, request_id="req-1"),
                            user=team_admin, action="create", resource_type="mcp_server",
                            resource_id=lambda r: r.data["id"], label="Docs", summary="Created “Docs”",
                            changes={"name": {"before": None, "after": "Docs"}}, store=put)
    assert response.status == 201 and McpServer.objects.get().name == "Docs"
    event = AuditEvent.objects.get()
    assert (event.outcome, event.resource_id, event.telnyx_status, event.telnyx_request_id, event.username) == (
        "success", "m1", 201, "req-1", "ada_admin")


def test_failure_is_audited_reraised_and_leaves_the_cache_alone():
    cache_put(McpServer, {"id": "m1", "name": "Old"}, fields)
    error = UnprocessableEntityError(status=422, method="POST", path="ai/mcp_servers", request_id="req-2",
                                     errors=[ErrorDetail(title="Invalid", detail="url is not valid")])

    def refuse():
        raise error

    with pytest.raises(UnprocessableEntityError):
        write(refuse, resource_id="m1", failure_summary="Tried to create “Docs”")
    event = AuditEvent.objects.get()
    assert (event.outcome, event.telnyx_status, event.summary) == ("failure", 422, "Tried to create “Docs”")
    assert "url is not valid" in event.error_message
    assert McpServer.objects.get().name == "Old"


def test_a_failing_store_rolls_back_the_cache_and_writes_no_success_event():
    def store(response):
        put(response)
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        telnyx_write(lambda: TelnyxResponse(status=200, data={"id": "m1", "name": "Docs"}), user=None,
                     action="create", resource_type="mcp_server", summary="Created", store=store)
    assert not McpServer.objects.exists() and not AuditEvent.objects.exists()


def test_a_failing_audit_rolls_back_the_cache(monkeypatch):
    from core import audit

    def broken_record(**kwargs):
        raise RuntimeError("audit table locked")

    monkeypatch.setattr(audit, "record", broken_record)
    with pytest.raises(RuntimeError):
        write(lambda: TelnyxResponse(status=200, data={"id": "m1", "name": "Docs"}))
    assert not McpServer.objects.exists()
