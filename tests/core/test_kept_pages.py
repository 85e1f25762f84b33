"""A repeat view of a list is served whole from what an earlier view kept (`Fragments.page`): no
template is rendered. The kept page is shared by viewers with the same role, zone and chrome, so
it must hold nothing of the person who rendered it: their name, their CSRF token, their dates in
their zone, the messages meant for them."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
import responses
from django.core.cache import cache
from django.db.models import F
from django.test import Client
from django.utils import timezone as dj_timezone

from conversations.models import Conversation
from core.changelist.kept import forget_recent_pages
from portal.models import CacheGeneration, SyncState
from tests.conftest import _client_for, _user_with_role

pytestmark = pytest.mark.django_db

URL = "/conversations/"


@pytest.fixture(autouse=True)
def one_conversation(monkeypatch):
    # One minute throughout: kept parts are keyed by the minute, and a test crossing one renders again.
    monkeypatch.setattr(sys.modules["core.changelist.kept"], "time", SimpleNamespace(time=lambda: 1_796_000_000.0))
    cache.clear()
    forget_recent_pages()  # this process's copies of kept pages too
    Conversation.objects.create(telnyx_id="conv-kept-page-1", name="Opening hours", channel="web_chat",
                                created_at=datetime(2026, 12, 6, 20, 31, tzinfo=timezone.utc),
                                synced_at=dj_timezone.now(), payload={})
    SyncState.objects.update_or_create(resource="conversations", defaults={"synced_at": dj_timezone.now()})
    yield
    cache.clear()
    forget_recent_pages()  # this process's copies of kept pages too


def _in_zone(client: Client, zone: str) -> Client:
    session = client.session
    session["time_zone"] = zone
    session.save()
    return client


@responses.activate
def test_a_repeat_view_renders_no_template_and_shows_the_second_viewer_their_name_and_a_working_token():
    alma, bert = _user_with_role("alma_kept_admin", "Admin"), _user_with_role("bert_kept_admin", "Admin")
    first = _client_for(alma).get(URL)
    assert first.templates, "the first view renders the page"
    bert_client = Client(enforce_csrf_checks=True)
    bert_client.force_login(bert)
    second = bert_client.get(URL)
    page = second.content.decode()

    assert second.templates == [], "the second view is the kept page: nothing rendered"
    assert "Opening hours" in page and "bert_kept_admin" in page and "alma_kept_admin" not in page
    assert '<span class="avatar" aria-hidden="true">B</span>' in page
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert token not in first.content.decode()
    assert bert_client.post("/logout/", {"csrfmiddlewaretoken": token}).status_code == 302, "Bert's own token works"


@responses.activate
def test_a_viewer_in_another_zone_reads_the_dates_in_their_own_zone():
    alma, bert = _user_with_role("alma_zone_admin", "Admin"), _user_with_role("bert_zone_admin", "Admin")
    berlin = _in_zone(_client_for(alma), "Europe/Berlin").get(URL).content.decode()
    utc = _client_for(bert).get(URL).content.decode()

    assert "6 Dec 2026, 21:31 CET" in berlin
    assert "6 Dec 2026, 20:31 UTC" in utc and "CET" not in utc


@responses.activate
def test_a_message_shows_once_on_a_kept_list_and_the_page_is_kept_again_after():
    client = _client_for(_user_with_role("alma_message_admin", "Admin"))
    client.get(URL)
    client.get(URL)  # kept now
    client.post("/preferences/", {"time_zone": "UTC"})  # says "Dates are now shown in UTC." on the next page

    with_message = client.get(URL)
    after = client.get(URL)

    assert "Dates are now shown in UTC." in with_message.content.decode() and with_message.templates
    assert "Dates are now shown in UTC." not in after.content.decode() and after.templates == []


@responses.activate
def test_a_viewer_and_an_admin_never_share_a_kept_page():
    admin = _client_for(_user_with_role("alma_role_admin", "Admin"))
    viewer = _client_for(_user_with_role("vera_role_viewer", "Viewer"))
    assert "Add conversation" in admin.get(URL).content.decode()
    page = viewer.get(URL).content.decode()
    assert "Add conversation" not in page and 'data-testid="role">Viewer<' in page


@responses.activate
def test_another_servers_write_shows_on_the_next_view_though_this_process_kept_the_page():
    client = _client_for(_user_with_role("alma_other_server_admin", "Admin"))
    client.get(URL)
    assert client.get(URL).templates == [], "kept, and this process holds its own copy"
    # Another app server renames it: its write moves the table's generation in the database only
    # (nothing in this process hears of it).
    Conversation.objects.filter(telnyx_id="conv-kept-page-1").update(name="Closing hours")
    for table in ("conversations.conversation", "conversations.conversation+writes"):
        CacheGeneration.objects.update_or_create(table=table, defaults={"value": 0})
        CacheGeneration.objects.filter(table=table).update(value=F("value") + 1)

    page = client.get(URL).content.decode()
    assert "Closing hours" in page and "Opening hours" not in page
