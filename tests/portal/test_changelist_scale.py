"""Every changelist costs the same number of queries at 10 rows as at 2,000, and stays under its byte budget.

Rows are bulk-created straight into the cache tables (no HTTP), so this stays fast. A list
whose queries grow with rows (an N+1, a filter listing every row) fails here.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assistants.models import Assistant
from conversations.models import Conversation, InsightGroup, InsightTemplate
from core.changelist.kept import forget_recent_pages
from inference.models import FineTuningJob, LanguageModel
from knowledge.models import Bucket, ClusterTask, EmbeddingTask
from mcp_servers.models import McpServer
from portal.models import AuditEvent, SyncState, TaskRecord
from testing.models import AssistantTest, TestRun

PAGE_BUDGET = 200 * 1024
SMALL, LARGE = 10, 2000


def _stamp(i: int) -> dict:
    return {"telnyx_id": f"row-{i:05d}", "synced_at": timezone.now(), "payload": {"id": f"row-{i:05d}"}}


LISTS = {
    "/conversations/": lambda i: Conversation(**_stamp(i), name=f"Conversation {i}", assistant_id=f"assistant-{i % 7}",
                                              channel=("web_chat", "phone_call")[i % 2],
                                              created_at=timezone.now() - timedelta(minutes=i)),
    # 2,000 tests in 400 suites: the suite filter becomes a picker instead of 400 <option>s.
    "/testing/tests/": lambda i: AssistantTest(**_stamp(i), name=f"Test {i}", test_suite=f"suite-{i % 400:03d}",
                                               destination=f"assistant-{i}", channel="web_chat"),
    "/testing/suites/": lambda i: AssistantTest(**_stamp(i), name=f"Test {i}", test_suite=f"suite-{i:04d}",
                                                destination="assistant-1"),
    "/assistants/": lambda i: Assistant(**_stamp(i), name=f"Assistant {i}", model=f"model-{i % 3}",
                                        tags=["sales", f"t{i % 5}"], tags_index=f"|sales|t{i % 5}|"),
    "/mcp-servers/": lambda i: McpServer(**_stamp(i), name=f"Server {i}"),
    "/knowledge/buckets/": lambda i: Bucket(**_stamp(i)),
    "/knowledge/tasks/": lambda i: EmbeddingTask(**_stamp(i), status="success", bucket=f"bucket-{i % 4}"),
    "/knowledge/clusters/": lambda i: ClusterTask(**_stamp(i), status="success"),
    "/inference/models/": lambda i: LanguageModel(**_stamp(i)),
    "/inference/fine-tuning/": lambda i: FineTuningJob(**_stamp(i), model=f"model-{i % 3}", status="running"),
    "/conversations/insights/": lambda i: InsightTemplate(**_stamp(i), name=f"Template {i}"),
    "/conversations/insights/groups/": lambda i: InsightGroup(**_stamp(i), name=f"Group {i}"),
    "/audit/": lambda i: AuditEvent(action="update", resource_type="assistant", resource_id=f"a-{i}", summary="Saved"),
    "/tasks/": lambda i: TaskRecord(task_id=f"task-{i}", name="portal.tasks.sync_listing", key=f"k-{i}",
                                    state=("queued", "running", "succeeded", "failed")[i % 4]),
}


def _add_rows(url: str, start: int, stop: int) -> None:
    rows = [LISTS[url](i) for i in range(start, stop)]
    type(rows[0]).objects.bulk_create(rows, batch_size=500)
    if url == "/conversations/":  # bulk_create goes around the write path: recount the rollup the list's total reads
        from conversations.rollups import rebuild_volume

        rebuild_volume()
    if url == "/testing/suites/":  # each suite has run: the overview must not query per suite
        TestRun.objects.bulk_create([TestRun(telnyx_id=f"run-{i}", test_id=f"row-{i:05d}", status="passed",
                                             created_at=timezone.now(), synced_at=timezone.now())
                                     for i in range(start, stop)], batch_size=500)


def _measure(client, url: str) -> tuple[int, int]:
    cache.clear()  # nothing kept from the previous size
    forget_recent_pages()  # this process's copies of kept pages too
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), len(response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(LISTS))
def test_query_count_does_not_grow_with_rows_and_page_stays_in_budget(team_admin_client, url):
    for resource in ("conversations", "assistant-tests", "test-suites", "assistants", "mcp_servers"):
        SyncState.objects.create(resource=resource, synced_at=timezone.now())
    _add_rows(url, 0, SMALL)
    small_queries, _ = _measure(team_admin_client, url)
    _add_rows(url, SMALL, LARGE)
    large_queries, large_bytes = _measure(team_admin_client, url)
    assert large_queries == small_queries, f"{url}: {small_queries} queries at {SMALL} rows, {large_queries} at {LARGE}"
    assert large_bytes < PAGE_BUDGET, f"{url}: {large_bytes // 1024} KB at {LARGE} rows"


@pytest.mark.django_db
def test_a_filter_with_hundreds_of_choices_is_a_picker_that_answers_as_you_type(team_admin_client):
    _add_rows("/testing/tests/", 0, 2000)
    page = team_admin_client.get("/testing/tests/").content.decode()
    assert 'list="suite-options"' in page and "suite-399" not in page
    options = team_admin_client.get("/testing/tests/", {"_choices": "suite", "suite": "399"}).content.decode()
    assert options == '<option value="suite-399">suite-399</option>'
    filtered = team_admin_client.get("/testing/tests/", {"suite": "suite-399", "q": "Test 399"}).content.decode()
    assert "Test 399" in filtered and "Test 398<" not in filtered
    assert 'data-testid="filter-chips"' in filtered and "suite-399" in filtered


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["1e23", "-1", "99999999999", "abc", ""])
def test_impossible_page_numbers_show_a_page_not_an_error(team_admin_client, page):
    _add_rows("/conversations/", 0, 120)
    response = team_admin_client.get("/conversations/", {"page": page, "sort": "foo", "o": "foo"})
    assert response.status_code == 200
    assert b"120 results" in response.content


@pytest.mark.django_db
def test_a_get_that_changes_nothing_does_not_write_the_session(team_admin_client):
    team_admin_client.get("/conversations/?channel=web_chat")
    with CaptureQueriesContext(connection) as queries:
        team_admin_client.get("/conversations/?channel=web_chat")
    assert not [q for q in queries if "django_session" in q["sql"] and q["sql"].startswith(("UPDATE", "INSERT"))]


@pytest.mark.django_db
def test_a_repeat_view_of_conversations_reads_its_sync_state_once_and_no_row(team_admin_client):
    SyncState.objects.create(resource="conversations", synced_at=timezone.now())
    _add_rows("/conversations/", 0, SMALL)
    team_admin_client.get("/conversations/")
    with CaptureQueriesContext(connection) as queries:
        team_admin_client.get("/conversations/")
    sql = [q["sql"] for q in queries]
    assert len([s for s in sql if "portal_syncstate" in s]) == 1
    assert not [s for s in sql if "conversations_conversation" in s]
