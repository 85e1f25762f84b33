"""A list's column chooser, kept per person: the name column never hides, the others can be
hidden; the choice is stored in the person's preferences and applied on the server (the hidden
column's cells are not in the page), for them only and on every later visit."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mcp_servers.models import McpServer
from portal.models import SyncState, UserPreference

pytestmark = pytest.mark.django_db
LIST = "/mcp-servers/"


@pytest.fixture
def servers():
    now = timezone.now()
    SyncState.objects.create(resource="mcp_servers", synced_at=now)
    McpServer.objects.create(telnyx_id="mcp-1", name="Orders lookup", type="http", url="https://orders.example.com/mcp",
                             created_at=now, payload={"id": "mcp-1", "name": "Orders lookup"}, synced_at=now)


def headers(page: str) -> list[str]:
    table = page[page.index('<table class="table"') if '<table class="table"' in page else page.index("<table "):]
    thead = table[:table.index("</thead>")]
    return [" ".join(re.sub(r"<[^>]+>", " ", h).split()) for h in re.findall(r"<th\b.*?</th>", thead, re.S)]


def test_hiding_a_column_is_kept_for_that_person_and_its_cells_are_not_sent(team_admin_client, viewer_client, servers):
    viewer_before = headers(viewer_client.get(LIST).content.decode())
    page = team_admin_client.get(LIST).content.decode()
    before = headers(page)
    at = page.index('data-testid="column-chooser"')
    chooser = page[at:page.index("</details>", at)]
    offered = re.findall(r'name="column" value="([^"]+)"', chooser)
    assert "type" in offered and "created" in offered and "name" not in offered  # the name column never hides
    response = team_admin_client.post(reverse("preferences-columns"), {"list": "mcp_servers:server-list", "column": offered,
                                                                       "show": [c for c in offered if c != "type"], "next": LIST})
    assert response.status_code == 302 and response["Location"] == LIST
    after_page = team_admin_client.get(LIST).content.decode()
    after = headers(after_page)
    assert after == [h for h in before if h != "Type"] and "Columns (1 hidden)" in after_page
    tbody = after_page[after_page.index("<tbody"):after_page.index("</tbody>")]
    assert "Orders lookup" in tbody and 'tag-muted">http<' not in tbody  # the Type cells are not sent either
    assert UserPreference.objects.get().hidden_columns == {"mcp_servers:server-list": ["type"]}
    assert headers(viewer_client.get(LIST).content.decode()) == viewer_before  # someone else's choice is not theirs


def test_the_choice_comes_back_at_the_next_login(team_admin, servers):
    UserPreference.objects.create(user=team_admin, hidden_columns={"mcp_servers:server-list": ["created"]})
    client = Client()
    client.force_login(team_admin)
    assert "Columns (1 hidden)" in client.get(LIST).content.decode()


def test_the_chooser_sends_you_back_only_within_the_portal(team_admin_client, servers):
    response = team_admin_client.post(reverse("preferences-columns"), {"list": "x", "column": ["a"], "next": "https://evil.example/"})
    assert response["Location"] == "/"


def _chooser_post(client, page: str, hide: list[str]):
    at = page.index('data-testid="column-chooser"')
    chooser = page[at:page.index("</details>", at)]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', chooser).group(1)
    offered = re.findall(r'name="column" value="([^"]+)"', chooser)
    return client.post(reverse("preferences-columns"), {"csrfmiddlewaretoken": token, "list": "mcp_servers:server-list",
                                                        "column": offered, "show": [c for c in offered if c not in hide], "next": LIST})


def test_a_kept_page_is_kept_per_hidden_set_and_its_chooser_token_works(team_admin, servers, kept_clock_still):
    client = Client(enforce_csrf_checks=True)
    client.force_login(team_admin)
    pages = [client.get(LIST).content.decode() for _ in range(3)]  # the later two served as kept
    assert all("Type" in headers(page) for page in pages)
    assert _chooser_post(client, pages[-1], ["type"]).status_code == 302, "the kept page's chooser token is taken"
    hidden = [client.get(LIST).content.decode() for _ in range(3)]
    assert all("Type" not in headers(page) and "Columns (1 hidden)" in page for page in hidden)
    assert _chooser_post(client, hidden[-1], []).status_code == 302
    shown = [client.get(LIST).content.decode() for _ in range(3)]
    assert all("Type" in headers(page) and "Columns (1 hidden)" not in page for page in shown)
    tokens = {re.search(r'column-chooser.*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S).group(1) for page in shown}
    assert len(tokens) == 3, "each response its own token"
