"""A changelist's rendered table is kept between views, and never outlives a write or a role.

A repeat view serves the kept fragment (no list query); a save, a delete or a sync through
the portal shows at once; an Admin's fragment (bulk delete) never reaches a Viewer; each
response carries its own CSRF token and Idempotency-Key.
"""

from __future__ import annotations

import re

import pytest
import responses
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations import services as conversation_services
from core.sync import replace_cache
from portal.models import SyncState
from testing.models import AssistantTest
from testing.services import assistant_tests as test_services

pytestmark = pytest.mark.django_db
TESTS_URL = "/testing/tests/"


@pytest.fixture
def cached_tests(test_json):
    for n in range(1, 4):
        test_services.test_cache_put(test_json(n))
    SyncState.objects.create(resource=test_services.RESOURCE, synced_at=timezone.now())


def _list_queries(client, url: str) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries], response.content.decode()


def test_a_repeat_view_runs_no_list_query(team_admin_client, cached_tests):
    first, _ = _list_queries(team_admin_client, TESTS_URL)
    again, page = _list_queries(team_admin_client, TESTS_URL)
    assert any("testing_assistanttest" in sql for sql in first)
    assert not any("testing_assistanttest" in sql for sql in again)
    assert "Booking test 2" in page


@responses.activate
def test_an_admins_own_save_shows_at_once(team_admin, team_admin_client, cached_tests, telnyx_base, test_json):
    assert "Booking test 2" in team_admin_client.get(TESTS_URL).content.decode()
    renamed = test_json(2, name="Renamed booking test")
    responses.put(f"{telnyx_base}/ai/assistants/tests/test-0002", json={"data": renamed})
    test_services.test_update(user=team_admin, test_id="test-0002", data={"name": "Renamed booking test"})

    page = team_admin_client.get(TESTS_URL).content.decode()
    assert "Renamed booking test" in page
    assert "Booking test 2<" not in page


@responses.activate
def test_a_delete_shows_at_once(team_admin, team_admin_client, cached_tests, telnyx_base):
    assert "Booking test 3" in team_admin_client.get(TESTS_URL).content.decode()
    responses.delete(f"{telnyx_base}/ai/assistants/tests/test-0003", status=204)
    test_services.test_delete(user=team_admin, test_id="test-0003")

    assert "Booking test 3" not in team_admin_client.get(TESTS_URL).content.decode()


def test_a_sync_shows_at_once(team_admin_client, cached_tests, test_json):
    assert "Booking test 1" in team_admin_client.get(TESTS_URL).content.decode()
    replace_cache(AssistantTest, [test_json(7)], test_services.test_fields)

    page = team_admin_client.get(TESTS_URL).content.decode()
    assert "Booking test 7" in page
    assert "Booking test 1" not in page


def test_a_stepwise_sync_shows_at_once(viewer_client):
    SyncState.objects.create(resource=conversation_services.RESOURCE, synced_at=timezone.now())
    conversation_services.conversation_cache_put({"id": "conv-1", "name": "First call", "metadata": {}})
    assert "First call" in viewer_client.get("/conversations/").content.decode()
    conversation_services._store([{"id": "conv-2", "name": "Second call", "metadata": {}}])

    assert "Second call" in viewer_client.get("/conversations/").content.decode()


def test_a_viewer_never_gets_the_admins_bulk_actions(team_admin_client, viewer_client, cached_tests):
    admin_page = team_admin_client.get(TESTS_URL).content.decode()
    assert "Delete selected tests" in admin_page

    viewer_page = viewer_client.get(TESTS_URL).content.decode()
    assert "Booking test 1" in viewer_page
    assert "Delete selected tests" not in viewer_page
    assert 'data-testid="bulk-bar"' not in viewer_page


def test_each_response_has_its_own_working_csrf_token_and_idempotency_key(operator, cached_tests):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(operator)
    second.force_login(operator)
    page_one = first.get(TESTS_URL).content.decode()
    page_two = second.get(TESTS_URL).content.decode()  # served from what the first view kept

    def hidden(page: str, name: str) -> str:
        return re.search(rf'name="{name}" value="([^"]+)"', page).group(1)

    assert hidden(page_one, "idempotency_key") != hidden(page_two, "idempotency_key")
    assert "\x00" not in page_two
    answer = second.post("/testing/tests/action/", {"csrfmiddlewaretoken": hidden(page_two, "csrfmiddlewaretoken"),
                                                  "action": "", "idempotency_key": hidden(page_two, "idempotency_key")})
    assert answer.status_code != 403  # the token on the page is this session's
