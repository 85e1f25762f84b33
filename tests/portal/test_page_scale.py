"""Pages that list one object's children (an assistant's versions and scheduled events, a suite's
tests and runs, a test's runs) and the integrations catalogue cost the same number of queries
with 10 children as with 2,000, and stay under the page budget.

Cached rows are bulk-created (no HTTP); what each page reads live from Telnyx is mocked with
`responses`, so the live lists grow too (the scheduled events page syncs its listing once, then
serves the cache the test seeds).
"""

from __future__ import annotations

import importlib
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import requests
import responses
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assistants.models import Assistant, AssistantVersion, ScheduledEvent
from core.cache import cache_put_many
from core.changelist.kept import forget_recent_pages
from shared_tools.models import SharedTool
from shared_tools.services import tool_fields
from testing.models import AssistantTest, SuiteRun, TestRun

PAGE_BUDGET = 200 * 1024
SMALL, LARGE = 10, 2000
ASSISTANT = "assistant-1"
NOW = timezone.now()


def _assistant_json() -> dict:
    return {"id": ASSISTANT, "name": "Booking", "model": "m", "instructions": "", "version_id": "v-00000",
            "tools": [], "tool_ids": [f"tool-{i:06d}" for i in range(10)], "created_at": NOW.isoformat()}


def _event(i: int) -> dict:
    return {"scheduled_event_id": f"event-{i:05d}", "assistant_id": ASSISTANT, "status": "pending",
            "telnyx_conversation_channel": "phone_call", "telnyx_agent_target": "+15550000000",
            "telnyx_end_user_target": f"+1555{i:07d}", "scheduled_at_fixed_datetime": NOW.isoformat()}


def _integration(i: int) -> dict:
    return {"id": f"int-{i:05d}", "name": f"tool{i}", "display_name": f"Integration {i}",
            "description": "Connects things", "logo_url": "", "status": ("connected", "disconnected")[i % 2],
            "available_tools": ["a", "b"]}


class Live:
    """What Telnyx answers, by size: `n` scheduled events and integrations; the assistant and the
    test exist; everything else (versions, canary, suite runs, test runs) has nothing new (404)."""

    def __init__(self, mock: responses.RequestsMock, base: str):
        self.base, self.n, self.suite_runs = base, 0, 0
        mock.add_callback(responses.GET, re.compile(rf"{re.escape(base)}/.*"), callback=self._answer)

    def _answer(self, request):
        import json
        from urllib.parse import parse_qs, urlsplit

        url = urlsplit(request.url)
        path, query = url.path.removeprefix(urlsplit(self.base).path), parse_qs(url.query)
        if path == f"/ai/assistants/{ASSISTANT}/scheduled_events":
            number, size = int(query.get("page[number]", ["1"])[0]), int(query.get("page[size]", ["100"])[0])
            items = [_event(i) for i in range(self.n)]
            body = {"data": items[(number - 1) * size:number * size],
                    "meta": {"page_number": number, "page_size": size, "total_pages": max(1, -(-self.n // size)),
                             "total_results": self.n}}
        elif path == "/ai/assistants/tests/test-suites/big/runs":  # the suite page syncs its history
            number, size = int(query.get("page[number]", ["1"])[0]), int(query.get("page[size]", ["20"])[0])
            runs = [{"run_id": f"live-run-{i:05d}", "test_id": f"test-{i:05d}", "test_suite_run_id": f"live-{i // 2:05d}",
                     "status": "passed", "triggered_by": "api", "created_at": NOW.isoformat()} for i in range(self.suite_runs)]
            body = {"data": runs[(number - 1) * size:number * size],
                    "meta": {"page_number": number, "page_size": size, "total_pages": max(1, -(-self.suite_runs // size)),
                             "total_results": self.suite_runs}}
        elif path == "/ai/integrations":
            body = {"data": [_integration(i) for i in range(self.n)]}
        elif path == "/ai/integrations/connections":
            body = {"data": []}
        elif path == f"/ai/assistants/{ASSISTANT}":
            body = _assistant_json()
        elif path == "/ai/assistants/tests/test-00000":
            body = {"data": {"test_id": "test-00000", "name": "Test 0", "destination": ASSISTANT,
                             "telnyx_conversation_channel": "web_chat", "test_suite": "big", "instructions": "x",
                             "rubric": [], "created_at": NOW.isoformat()}}
        else:
            return 404, {"Content-Type": "application/json"}, json.dumps({"errors": [{"code": "404", "title": "Not found", "detail": "Nothing here."}]})
        return 200, {"Content-Type": "application/json"}, json.dumps(body)


def _seed(start: int, stop: int) -> None:
    ScheduledEvent.objects.bulk_create([
        ScheduledEvent(telnyx_id=f"{ASSISTANT}:event-{i:05d}", assistant_id=ASSISTANT, event_id=f"event-{i:05d}",
                       channel="phone_call", status="pending", scheduled_at=NOW + timedelta(minutes=i),
                       agent_target="+15550000000", end_user_target=f"+1555{i:07d}", payload=_event(i), synced_at=NOW)
        for i in range(start, stop)], batch_size=500)
    AssistantVersion.objects.bulk_create([
        AssistantVersion(telnyx_id=f"{ASSISTANT}:v-{i:05d}", assistant_id=ASSISTANT, version_id=f"v-{i:05d}",
                         name=f"Version {i}", created_at=NOW - timedelta(minutes=i), is_main=i == 0,
                         synced_at=NOW) for i in range(start, stop)], batch_size=500)
    AssistantTest.objects.bulk_create([
        AssistantTest(telnyx_id=f"test-{i:05d}", name=f"Test {i}", test_suite="big", destination=ASSISTANT if i % 2 else f"assistant-{i % 3}",
                      channel="web_chat", payload={}, synced_at=NOW) for i in range(start, stop)], batch_size=500)
    TestRun.objects.bulk_create([
        TestRun(telnyx_id=f"run-{i:05d}", test_id="test-00000" if i % 2 else f"test-{i:05d}", status="passed",
                suite_run_id=f"batch-{i:05d}", created_at=NOW - timedelta(minutes=i), synced_at=NOW)
        for i in range(start, stop)], batch_size=500)
    SuiteRun.objects.bulk_create([
        SuiteRun(batch_id=f"batch-{i:05d}", suite="big", version_id=f"v-{i % 50:05d}",
                 run_ids=[f"run-{i:05d}"], started_at=NOW - timedelta(minutes=i), finished_at=NOW, status="passed",
                 total=1, passed=1) for i in range(start, stop)], batch_size=500)


PAGES = [
    f"/assistants/{ASSISTANT}/versions/",
    f"/assistants/{ASSISTANT}/scheduled/",
    "/testing/suites/big/",
    "/testing/tests/test-00000/",
    "/integrations/",
]


def _measure(client, url: str) -> tuple[int, int]:
    cache.clear()  # nothing kept from the previous size
    forget_recent_pages()  # this process's copies of kept pages too
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), len(response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_query_count_does_not_grow_with_children_and_page_stays_in_budget(team_admin_client, telnyx_base, url):
    Assistant.objects.create(telnyx_id=ASSISTANT, name="Booking", payload=_assistant_json(), synced_at=NOW)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        live = Live(mock, telnyx_base)
        live.n = SMALL
        _seed(0, SMALL)
        _measure(team_admin_client, url)  # a first view records things once (sync state, history)
        small_queries, _ = _measure(team_admin_client, url)
        live.n = LARGE
        _seed(SMALL, LARGE)
        large_queries, large_bytes = _measure(team_admin_client, url)
    assert large_queries == small_queries, f"{url}: {small_queries} queries at {SMALL} rows, {large_queries} at {LARGE}"
    assert large_bytes < PAGE_BUDGET, f"{url}: {large_bytes // 1024} KB at {LARGE} rows"


@pytest.mark.django_db
def test_versions_come_in_pages_searchable_and_main_stays_offered_for_compare(team_admin_client, telnyx_base):
    Assistant.objects.create(telnyx_id=ASSISTANT, name="Booking", payload=_assistant_json(), synced_at=NOW)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        Live(mock, telnyx_base)
        _seed(0, 120)
        second = team_admin_client.get(f"/assistants/{ASSISTANT}/versions/", {"page": 2}).content.decode()
        searched = team_admin_client.get(f"/assistants/{ASSISTANT}/versions/", {"q": "Version 117"}).content.decode()
        fragment = team_admin_client.get(f"/assistants/{ASSISTANT}/versions/", {"sort": "name"},
                                         headers={"HX-Request": "true"}).content.decode()
    assert "120 results" in second and "page 2 of 3" in second
    assert 'data-version="v-00060"' in second and 'data-version="v-00000"' not in second
    assert '<option value="v-00000" selected>Version 0 (main)' in second  # main, though on page 1
    assert 'data-version="v-00117"' in searched and "1 result" in searched
    assert fragment.lstrip().startswith('<div id="changelist-table"') and "Compare" not in fragment.split("<table")[0]


@pytest.mark.django_db
def test_scheduled_events_come_from_the_cache_in_pages(team_admin_client, telnyx_base):
    Assistant.objects.create(telnyx_id=ASSISTANT, name="Booking", payload=_assistant_json(), synced_at=NOW)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        live = Live(mock, telnyx_base)
        live.n = SMALL
        team_admin_client.get(f"/assistants/{ASSISTANT}/scheduled/")  # the first view syncs SMALL events
        _seed(SMALL, 120)  # more arrive in the cache (as a later sync would bring them)
        second = team_admin_client.get(f"/assistants/{ASSISTANT}/scheduled/", {"page": 2}).content.decode()
    assert "120 results" in second and "page 2 of 3" in second
    assert 'data-event="event-00050"' in second and 'data-event="event-00000"' not in second


@pytest.mark.django_db
def test_the_suite_page_syncs_a_bounded_history_in_bulk(team_admin_client, telnyx_base):
    """The suite page syncs its run history from Telnyx on each view (at most MAX_RUN_PAGES pages,
    upserted in bulk): 2,000 runs in Telnyx cost the page what 1,000 do, and it stays in budget."""
    from testing.services.runs import MAX_RUN_PAGES

    Assistant.objects.create(telnyx_id=ASSISTANT, name="Booking", payload=_assistant_json(), synced_at=NOW)
    _seed(0, SMALL)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        live = Live(mock, telnyx_base)
        live.suite_runs = 1000
        _measure(team_admin_client, "/testing/suites/big/")  # the first sync creates the batches
        fewer, _ = _measure(team_admin_client, "/testing/suites/big/")
        live.suite_runs = 2000
        more, size = _measure(team_admin_client, "/testing/suites/big/")
    assert more == fewer, f"{fewer} queries with 1,000 runs in Telnyx, {more} with 2,000"
    assert size < PAGE_BUDGET
    assert 0 < SuiteRun.objects.filter(batch_id__startswith="live-").count() <= MAX_RUN_PAGES * 100


@pytest.mark.django_db
def test_a_big_suite_page_lists_some_tests_and_links_to_all_of_them(team_admin_client, telnyx_base):
    Assistant.objects.create(telnyx_id=ASSISTANT, name="Booking", payload=_assistant_json(), synced_at=NOW)
    _seed(0, 120)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        Live(mock, telnyx_base)
        page = team_admin_client.get("/testing/suites/big/?tab=tests").content.decode()
    assert "120 tests" in page
    assert 'href="/testing/tests/?suite=big" data-testid="all-suite-tests">All 120 tests' in page
    assert page.count('href="/testing/tests/test-') == 50  # the Tests tab lists 50 (no runs table on it)


# --- The whole account at scale: conversations, insight results, tests, suites, audit events ----------
CONVERSATION = "conv-00000"
ACCOUNT_SMALL, ACCOUNT_LARGE = 50, 500  # 10x more of everything; bench/pages_at_scale.py runs 1,000 vs 100,000
ACCOUNT_PAGES = {
    "dashboard": "/",
    "dashboard by version": "/?by=version",
    "conversations": "/conversations/",
    "conversations searched": "/conversations/?q=refund",
    "conversations filtered": f"/conversations/?assistant={ASSISTANT}&channel=web_chat",
    "conversation with insights": f"/conversations/{CONVERSATION}/",
    "insight analytics": "/conversations/insights/analytics/",
    "tests": "/testing/tests/",
    "suites": "/testing/suites/",
    "release timeline": f"/assistants/{ASSISTANT}/releases/",
    "rollout plan": f"/assistants/{ASSISTANT}/releases/plans/PLAN/",
    "search": "/search/?q=refund",
    "audit log": "/audit/",
    "tools": "/tools/",
    "tools filtered": "/tools/?type=webhook",
    "tools searched": "/tools/?q=refund",  # few at the small size, many at the large (FEW and the cap scaled down)
    "tools searched and filtered": "/tools/?q=lookup+1&type=retrieval",
    "tool used by": "/tools/tool-000003/",
}
FIRST_VIEW_BUDGET = 15


def _conversation_item(i: int) -> dict:
    return {"id": f"conv-{i:05d}", "name": f"{'Refund' if i % 3 else 'Booking'} call {i}",
            "created_at": (NOW - timedelta(days=i % 14, minutes=i)).isoformat(),
            "last_message_at": NOW.isoformat(),
            "metadata": {"assistant_id": ASSISTANT, "assistant_version_id": f"v-{i % 5:05d}",
                         "telnyx_conversation_channel": "web_chat"}}


class Account:
    """The account's rows grown in bulk from `start` to `stop` (every kind 10x between sizes)."""

    def __init__(self):
        from releases.models import GateResult, RolloutPlan, RolloutStep

        self.plan = RolloutPlan.objects.create(assistant_id=ASSISTANT, candidate_version_id="v-00001",
                                               main_version_id="v-00000", status="running", started_at=NOW)
        self.step = RolloutStep.objects.create(plan=self.plan, index=0, kind="percent", weight=10, state="running",
                                               applied_at=NOW, gate_live=True)
        self.gates = GateResult

    def grow(self, start: int, stop: int) -> None:
        import json

        from conversations.models import InsightResult, InsightTemplate
        from conversations.rollups import rebuild
        from conversations.services import _store
        from portal import audit_days
        from portal.models import AuditEvent
        from testing.models import TestSuite

        _store([_conversation_item(i) for i in range(start, stop)])  # the sync's write path: rollups move
        InsightTemplate.objects.get_or_create(telnyx_id="t-csat", defaults={"name": "Satisfaction", "synced_at": NOW})
        InsightResult.objects.bulk_create([
            InsightResult(conversation_id=f"conv-{i:05d}", template_id="t-csat", assistant_id=ASSISTANT,
                          assistant_version_id=f"v-{i % 5:05d}", status="completed",
                          occurred_at=NOW - timedelta(days=i % 14, minutes=i),
                          result=json.dumps({"score": i % 5, "resolved": i % 2 == 0}),
                          values={"score": float(i % 5), "resolved": i % 2 == 0}) for i in range(start, stop)],
            batch_size=500)
        rebuild()  # results bulk-created around the store: recount their rollup
        AuditEvent.objects.bulk_create([
            AuditEvent(action="update", resource_type="assistant", resource_id=ASSISTANT, resource_label="Booking",
                       summary=f"Changed refund rule {i}", created_at=NOW - timedelta(minutes=i))
            for i in range(start, stop)], batch_size=500)
        audit_days.rebuild()  # events bulk-created around save(): count them per day
        TestSuite.objects.bulk_create([TestSuite(telnyx_id=f"suite-{i:05d}", name=f"suite-{i:05d}", synced_at=NOW)
                                       for i in range(start // 10, stop // 10)], batch_size=500)
        AssistantTest.objects.bulk_create([
            AssistantTest(telnyx_id=f"test-{i:05d}", name=f"Refund test {i}", test_suite=f"suite-{i // 10:05d}",
                          destination=ASSISTANT, channel="web_chat", payload={}, synced_at=NOW)
            for i in range(start, stop)], batch_size=500)
        SuiteRun.objects.bulk_create([
            SuiteRun(batch_id=f"batch-{i:05d}", suite=f"suite-{i // 10:05d}", version_id=f"v-{i % 5:05d}",
                     run_ids=[f"run-{i:05d}"], started_at=NOW - timedelta(minutes=i), finished_at=NOW, status="passed",
                     total=1, passed=1) for i in range(start, stop)], batch_size=500)
        # Each test ran (as the bench's tests did): the tests and suites lists read each run's version.
        TestRun.objects.bulk_create([
            TestRun(telnyx_id=f"run-{i:05d}", test_id=f"test-{i:05d}", status="failed" if i % 7 == 0 else "passed",
                    suite_run_id=f"batch-{i:05d}", created_at=NOW - timedelta(minutes=i), synced_at=NOW)
            for i in range(start, stop)], batch_size=500)
        AssistantVersion.objects.bulk_create([
            AssistantVersion(telnyx_id=f"{ASSISTANT}:v-{i:05d}", assistant_id=ASSISTANT, version_id=f"v-{i:05d}",
                             name=f"Version {i}", created_at=NOW - timedelta(minutes=i), is_main=i == 0, synced_at=NOW)
            for i in range(start, stop)], batch_size=500)
        tools = [{"id": f"tool-{i:06d}", "display_name": f"Refund lookup {i}", "type": ("webhook", "retrieval")[i % 2],
                  "timeout_ms": 5000, "created_at": (NOW - timedelta(seconds=i)).isoformat(),
                  "tool_definition": {"name": f"lookup_{i}", "url": "https://example.com/"}} for i in range(start, stop)]
        cache_put_many(SharedTool, tools, tool_fields)  # the shared tool library's sync path
        self.gates.objects.bulk_create([
            self.gates(plan=self.plan, step=self.step, kind="live", verdict="waiting" if i % 2 else "pass",
                       summary=f"Gate {i}", evaluated_at=NOW - timedelta(minutes=i)) for i in range(start, stop)],
            batch_size=500)


def _fresh_listings() -> None:
    """Every listing the pages read was just synced: a view serves the cache and queues nothing."""
    from portal.models import SyncState

    for resource in ("assistants", "conversations", "tests", "suites", "models", "conversation-insights",
                     "insight-templates", "insight-groups", f"versions:{ASSISTANT}", "mcp_servers", "integrations",
                     "canary_deploys", "assistant-tests", "shared_tools"):
        SyncState.objects.update_or_create(resource=resource, defaults={"synced_at": timezone.now(), "item_count": 1})


class LiveConversation:
    """What Telnyx answers for the conversation page: the conversation, 20 messages, its insight runs
    (and nothing, a refused connection, for a shared tool's page, which then shows the cached tool)."""

    def __init__(self, mock: responses.RequestsMock, base: str):
        self.path = f"{base}/ai/conversations/{CONVERSATION}".split("://", 1)[1].split("/", 1)[1]
        mock.add_callback(responses.GET, re.compile(rf"{re.escape(base)}/.*"), callback=self._answer)

    def _answer(self, request):
        import json
        from urllib.parse import urlsplit

        path = urlsplit(request.url).path.lstrip("/")
        if path == self.path:
            body = {"data": _conversation_item(0)}
        elif path == f"{self.path}/messages":
            body = {"data": [{"role": "user" if i % 2 else "assistant", "text": f"Message {i}",
                              "sent_at": NOW.isoformat(), "created_at": NOW.isoformat()} for i in range(20)],
                    "meta": {"page_number": 1, "total_pages": 1}}
        elif "/tools/" in f"/{path}":  # as in the bench, Telnyx does not answer: the page shows the cached tool
            raise requests.ConnectionError("unreachable")
        elif path == f"{self.path}/conversations-insights":
            body = {"data": [{"status": "completed", "created_at": NOW.isoformat(), "conversation_insights": [
                {"insight_id": "t-csat", "result": json.dumps({"score": 4, "resolved": True})}]}]}
        else:
            return 404, {"Content-Type": "application/json"}, json.dumps(
                {"errors": [{"code": "404", "title": "Not found", "detail": "Nothing here."}]})
        return 200, {"Content-Type": "application/json"}, json.dumps(body)


def _statements(captured: CaptureQueriesContext) -> int:
    # The savepoints are the test's own transaction around a session save (autocommit has none).
    return sum(1 for q in captured.captured_queries if "SAVEPOINT" not in q["sql"])


def _first_and_warm(client, user, url: str) -> tuple[int, int, int]:
    """Queries on the page's first view (nothing of it kept; the viewer's permission set kept, as
    after login or any other page) and on a repeat view, and the page's size."""
    cache.clear()
    forget_recent_pages()  # this process's copies of kept pages too
    type(user).objects.get(pk=user.pk).get_all_permissions()  # a fresh object: its set goes into the cache
    with CaptureQueriesContext(connection) as first:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    return _statements(first), _statements(warm), len(response.content)


@pytest.mark.django_db
def test_every_account_page_costs_the_same_queries_at_ten_times_the_rows(team_admin_client, team_admin, telnyx_base,
                                                                        monkeypatch):
    # A kept page's key holds the minute: one that turned between a first view and its repeat made
    # the repeat render again (8 queries, not 4), now and then. The clock stands still here.
    monkeypatch.setattr(importlib.import_module("core.changelist.kept"), "time", SimpleNamespace(time=lambda: 1_800_000_000.0))
    # The tool search's probe bound and count cap as at 2,000 and 1,000, scaled to these sizes.
    monkeypatch.setattr(importlib.import_module("shared_tools.search"), "FEW", 200)
    monkeypatch.setattr(importlib.import_module("shared_tools.forms").SharedToolFilterForm, "search_count_cap", 100)
    Assistant.objects.create(telnyx_id=ASSISTANT, name="Booking", payload=_assistant_json(), version_id="v-00000",
                             synced_at=NOW)
    account = Account()
    pages = {name: url.replace("PLAN", str(account.plan.pk)) for name, url in ACCOUNT_PAGES.items()}
    _fresh_listings()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        LiveConversation(mock, telnyx_base)
        account.grow(0, ACCOUNT_SMALL)
        for url in pages.values():
            team_admin_client.get(url)  # anything a first-ever view records once
        small = {name: _first_and_warm(team_admin_client, team_admin, url) for name, url in pages.items()}
        account.grow(ACCOUNT_SMALL, ACCOUNT_LARGE)
        large = {name: _first_and_warm(team_admin_client, team_admin, url) for name, url in pages.items()}
    problems = [f"{name}: first/warm queries {small[name][:2]} at {ACCOUNT_SMALL}, {large[name][:2]} at {ACCOUNT_LARGE}"
                for name in pages if small[name][:2] != large[name][:2]]
    problems += [f"{name}: {large[name][0]} queries on a first view" for name in pages if large[name][0] > FIRST_VIEW_BUDGET]
    problems += [f"{name}: {large[name][2] // 1024} KB" for name in pages if large[name][2] >= PAGE_BUDGET]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_while_its_sync_runs_the_list_is_kept_between_batches_but_a_save_shows_at_once(viewer_client):
    """Each batch of a running stepwise sync moves the conversation table; the list serves its kept
    page meanwhile (its progress card says a sync runs), while a single write shows on the next view."""
    from conversations.services import _store, conversation_cache_put
    from portal.models import SyncState

    SyncState.objects.create(resource="conversations", synced_at=NOW, run_id="run-1",
                             lease_until=timezone.now() + timedelta(minutes=2))
    _store([_conversation_item(i) for i in range(3)])
    assert "3 results" in viewer_client.get("/conversations/").content.decode()
    _store([_conversation_item(i) for i in range(3, 8)])  # the sync's next batch
    with CaptureQueriesContext(connection) as kept:
        assert "3 results" in viewer_client.get("/conversations/").content.decode()  # the kept page, not re-rendered
    assert not [q for q in kept.captured_queries if "conversations_conversation" in q["sql"]]
    conversation_cache_put({**_conversation_item(99), "name": "Saved by someone"})  # a write, not a batch
    assert "9 results" in viewer_client.get("/conversations/").content.decode()
    SyncState.objects.filter(resource="conversations").update(run_id="", lease_until=None, synced_at=timezone.now())
    assert "9 results" in viewer_client.get("/conversations/").content.decode()


@pytest.mark.django_db
def test_the_pages_newest_rows_come_through_an_index_that_holds_filter_and_order():
    """The dashboard's newest failures, a page of tests' records and a plan's newest gates read an
    index range (at 100,000 events PostgreSQL read and sorted all 2,000 failures; SQLite, without
    statistics, read every finished test run through the status index)."""
    from portal.models import AuditEvent
    from releases.models import GateResult
    from testing.results import FINAL_STATUSES

    if connection.vendor == "postgresql":  # a near-empty table is scanned whatever its indexes: ask for them
        with connection.cursor() as cursor:
            for setting in ("enable_seqscan", "enable_sort", "enable_bitmapscan"):
                cursor.execute(f"SET LOCAL {setting} = off")
    plans = {
        "audit_outcome_created": AuditEvent.objects.filter(outcome="failure").order_by("-created_at")[:8],
        "testrun_test_status_created": TestRun.objects.filter(test_id__in=["test-1", "test-2"], status__in=FINAL_STATUSES),
        "gate_plan_kind_newest": GateResult.objects.filter(plan_id=1, kind="live").order_by("-evaluated_at", "-pk")[:200],
        "gate_plan_newest": GateResult.objects.filter(plan_id=1).order_by("-evaluated_at", "-pk")[:20],
    }
    if connection.vendor == "postgresql":  # its statistics pick the test index there already (1.6 ms at 10,000 runs)
        del plans["testrun_test_status_created"]
    missing = {index: query.explain() for index, query in plans.items() if index not in query.explain()}
    assert not missing, missing


# --- A first view of a never-synced per-object listing (firstview) -----------------------------------
# As bench/changelists.py finds them: the assistant and its canary cached by earlier syncs, the
# listing itself never synced, tasks queued for a worker (none runs here). The view claims the
# listing's sync (a TaskRecord, a message to the broker) and says so; that costs what it costs
# with 10 rows or 100.
LISTING_FIRST_VIEWS = {
    "versions": (f"/assistants/{ASSISTANT}/versions/", f"versions:{ASSISTANT}"),
    "scheduled events": (f"/assistants/{ASSISTANT}/scheduled/", f"scheduled_events:{ASSISTANT}"),
}


@pytest.fixture
def queued_tasks(tmp_path):
    """Tasks go to a broker folder under tmp_path instead of running inline, as on a server."""
    from portal.celery import app

    folder = tmp_path / "broker"
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True)
    options = {"data_folder_in": str(folder / "queue"), "data_folder_out": str(folder / "queue"),
               "processed_folder": str(folder / "processed"), "control_folder": str(folder / "control")}
    saved = {key: app.conf[key] for key in ("broker_url", "broker_transport_options", "task_always_eager")}
    app.conf.update(broker_url="filesystem://", broker_transport_options=options, task_always_eager=False)
    app._after_fork()
    yield folder / "queue"
    app.conf.update(**saved)
    app._after_fork()


@pytest.mark.django_db
@pytest.mark.parametrize("name", LISTING_FIRST_VIEWS)
def test_a_never_synced_listing_claims_its_sync_within_the_first_view_budget(team_admin_client, team_admin, telnyx_base,
                                                                            queued_tasks, name):
    from assistants.services.assistants import assistant_cache_put
    from assistants.services.canary import remember_canary
    from portal.models import SyncState, TaskRecord

    url, resource = LISTING_FIRST_VIEWS[name]
    assistant_cache_put(_assistant_json())  # as the assistants' sync left it
    remember_canary(ASSISTANT, None)  # as the canaries' sweep left it
    seen = {}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        Live(mock, telnyx_base)
        for start, stop in ((0, SMALL), (SMALL, SMALL * 10)):
            _seed(start, stop)
            SyncState.objects.filter(resource=resource).delete()  # never synced
            TaskRecord.objects.all().delete()
            first, warm, size = _first_and_warm(team_admin_client, team_admin, url)
            page = team_admin_client.get(url).content.decode()
            seen[stop] = first
            assert 'data-testid="listing-syncing"' in page, f"{name}: the page does not say its listing syncs"
            assert TaskRecord.objects.filter(key__contains=resource, state="queued").count() == 1  # claimed once
            assert len(list(queued_tasks.iterdir())) == start // SMALL + 1  # and sent, once per first view
            assert size < PAGE_BUDGET
    assert seen[SMALL] == seen[SMALL * 10], f"{name}: first view {seen[SMALL]} queries at {SMALL} rows, {seen[SMALL * 10]} at {SMALL * 10}"
    assert seen[SMALL * 10] <= FIRST_VIEW_BUDGET, f"{name}: {seen[SMALL * 10]} queries on a first view"


@pytest.mark.django_db
def test_a_suite_page_claims_its_history_and_versions_syncs_within_the_first_view_budget(team_admin_client, team_admin,
                                                                                     telnyx_base, queued_tasks):
    # The suite page shows its run history from the cache and, to an Operator, each assistant's
    # versions in the Run suite form: on a first view none of them synced. One read of their
    # states and one claim of them all (each claim alone was 3-5 statements; the page cost 27).
    from assistants.services.assistants import assistant_cache_put
    from assistants.services.versions import versions_resource
    from portal.models import SyncState, TaskRecord
    from testing.services.suites import suite_history_resource

    url, history = "/testing/suites/big/", suite_history_resource("big")
    assistant_cache_put(_assistant_json())
    seen = {}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        Live(mock, telnyx_base)
        for start, stop in ((0, SMALL), (SMALL, SMALL * 10)):
            _seed(start, stop)
            listings = [history, *(versions_resource(a) for a in ("assistant-0", ASSISTANT, "assistant-2"))]
            SyncState.objects.filter(resource__in=listings).delete()  # never synced
            TaskRecord.objects.all().delete()
            first, warm, size = _first_and_warm(team_admin_client, team_admin, url)
            page = team_admin_client.get(url).content.decode()
            seen[stop] = first
            assert 'data-testid="listing-syncing"' in page, "the suite page does not say its history syncs"
            for listing in listings:  # claimed once each
                assert TaskRecord.objects.filter(key__contains=f'"{listing}"', state="queued").count() == 1, listing
            assert len(list(queued_tasks.iterdir())) == (start // SMALL + 1) * len(listings)  # and sent, once per first view
            assert size < PAGE_BUDGET
    assert seen[SMALL] == seen[SMALL * 10], f"first view {seen[SMALL]} queries at {SMALL} rows, {seen[SMALL * 10]} at {SMALL * 10}"
    assert seen[SMALL * 10] <= FIRST_VIEW_BUDGET, f"{seen[SMALL * 10]} queries on a first view"
