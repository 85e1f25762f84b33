"""CSV export of the conversations list: what the search, filters and sort select, streamed, audited."""

from __future__ import annotations

import csv
import io

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from conversations import services
from portal.models import AuditEvent, SyncState

pytestmark = pytest.mark.django_db

LIST = reverse("conversations:conversation-list")


def conv(n: int, channel: str, name: str = "") -> dict:
    return {"id": f"conv-{n}", "name": name or f"Call {n}", "created_at": f"2026-11-{10 + n:02d}T10:00:00Z",
            "metadata": {"assistant_id": "assistant-1", "assistant_version_id": "v1", "telnyx_conversation_channel": channel}}


@pytest.fixture
def cached():
    for n in range(1, 6):
        services.conversation_cache_put(conv(n, "sms_chat" if n % 2 else "phone_call"))
    services.conversation_cache_put(conv(9, "phone_call", name="=cmd|'/c calc'!A1"))
    SyncState.objects.create(resource="conversations", synced_at=timezone.now())


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@responses.activate
def test_export_streams_exactly_what_the_filters_search_and_sort_select(viewer_client, cached):
    response = viewer_client.get(LIST, {"channel": "phone_call", "q": "Call", "sort": "created", "_export": "csv"})
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = rows(response)
    assert table[0][:3] == ["Conversation id", "Name", "Assistant id"]
    assert [r[0] for r in table[1:]] == ["conv-2", "conv-4"]  # oldest first, SMS and the formula's name left out
    assert len(responses.calls) == 0  # from the cache only


def test_export_is_streamed_not_built(viewer_client, cached):
    response = viewer_client.get(LIST, {"_export": "csv"})
    assert response.streaming
    with pytest.raises(AttributeError):
        response.content  # noqa: B018 - a StreamingHttpResponse has no content


def test_a_formula_in_a_name_is_defused(viewer_client, cached):
    table = rows(viewer_client.get(LIST, {"q": "calc", "_export": "csv"}))
    assert table[1][1] == "'=cmd|'/c calc'!A1"


def test_each_export_is_audited_with_the_query_and_row_count(viewer_client, viewer, cached):
    rows(viewer_client.get(LIST, {"channel": "phone_call", "_export": "csv", "page": "2"}))
    event = AuditEvent.objects.get(action="export")
    assert event.user == viewer and event.resource_type == "conversations"
    assert event.changes == {"query": "channel=phone_call", "rows": 3, "complete": True}


def test_list_links_export_with_its_query(viewer_client, cached):
    content = viewer_client.get(LIST, {"channel": "phone_call", "page": "1"}).content.decode()
    assert 'href="?channel=phone_call&amp;_export=csv"' in content


def test_export_needs_a_role(no_role_user, cached):
    from django.test import Client

    client = Client()
    client.force_login(no_role_user)
    assert client.get(LIST, {"_export": "csv"}).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()
