"""Every changelist with an export answers `?_export=csv` with a streamed CSV a Viewer may read
(the audit log excepted: Admins only), with a header row, from the cache only."""

from __future__ import annotations

import csv
import io

import pytest
import responses

pytestmark = pytest.mark.django_db

LISTS = ["/assistants/", "/mcp-servers/", "/testing/tests/", "/conversations/", "/conversations/insights/",
         "/conversations/insights/groups/", "/knowledge/buckets/", "/knowledge/tasks/", "/knowledge/clusters/",
         "/inference/models/", "/inference/fine-tuning/"]


@responses.activate
@pytest.mark.parametrize("url", LISTS)
def test_viewer_exports_every_list(viewer_client, url):
    response = viewer_client.get(url, {"_export": "csv", "q": "nothing-matches-this"})
    assert response.status_code == 200 and response.streaming, url
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(table) == 1 and len(table[0]) >= 3  # the header, no rows
    assert len(responses.calls) == 0
