"""The top-bar search: every kind from the cache, grouped with counts, links to each object,
and the same number of queries however many conversations are cached."""

from __future__ import annotations

from datetime import datetime
from datetime import timezone as tz

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assistants.models import Assistant, AssistantVersion
from conversations.models import Conversation
from testing.models import AssistantTest, TestSuite

pytestmark = pytest.mark.django_db

SEARCH = reverse("search")


@pytest.fixture
def cache_rows():
    now = timezone.now()
    Assistant.objects.create(telnyx_id="assistant-billing", name="Billing helper", model="gpt", synced_at=now)
    Assistant.objects.create(telnyx_id="assistant-sales", name="Sales", synced_at=now)
    AssistantVersion.objects.create(telnyx_id="assistant-billing:v-7f3", assistant_id="assistant-billing",
                                    version_id="v-7f3", name="Billing tone v2", synced_at=now)
    AssistantTest.objects.create(telnyx_id="test-1", name="Billing refund flow", test_suite="Billing", synced_at=now)
    TestSuite.objects.create(telnyx_id="Billing", name="Billing", synced_at=now)
    Conversation.objects.create(telnyx_id="5e1d2c3b-aaaa", name="Billing call", assistant_id="assistant-billing",
                                created_at=datetime(2026, 11, 20, tzinfo=tz.utc), synced_at=now)
    Conversation.objects.create(telnyx_id="9f00-other", name="Other", synced_at=now)


def test_finds_every_kind_by_name_and_links_to_each(viewer_client, cache_rows):
    content = viewer_client.get(SEARCH, {"q": "billing"}).content.decode()
    for kind in ("assistants", "versions", "tests", "suites", "conversations"):
        assert f'data-testid="results-{kind}"' in content
    assert f'href="{reverse("assistants:assistant-detail", args=["assistant-billing"])}">Billing helper</a>' in content
    assert f'href="{reverse("assistants:version-detail", args=["assistant-billing", "v-7f3"])}">Billing tone v2</a>' in content
    assert f'href="{reverse("testing:test-detail", args=["test-1"])}">Billing refund flow</a>' in content
    assert f'href="{reverse("testing:suite-detail", args=["Billing"])}">Billing</a>' in content
    assert f'href="{reverse("conversations:conversation-detail", args=["5e1d2c3b-aaaa"])}">Billing call</a>' in content
    assert "Sales" not in content and "Other" not in content
    assert "Conversations <strong>1</strong>" in content


def test_an_id_prefix_finds_a_conversation_with_its_assistant_named(viewer_client, cache_rows):
    content = viewer_client.get(SEARCH, {"q": "5E1D"}).content.decode()
    assert "Billing call" in content and "Billing helper · " in content and "Other" not in content


def test_short_or_empty_terms_search_nothing(viewer_client, cache_rows):
    assert "at least 2 characters" in viewer_client.get(SEARCH, {"q": "b"}).content.decode()
    assert "results-assistants" not in viewer_client.get(SEARCH).content.decode()


def test_top_bar_form_searches_the_portal(viewer_client):
    content = viewer_client.get(reverse("dashboard")).content.decode()
    assert f'action="{SEARCH}"' in content


def test_login_required(client):
    assert client.get(SEARCH, {"q": "billing"}).status_code == 302


def test_queries_do_not_grow_with_the_cache_and_counts_are_capped(viewer_client, cache_rows, monkeypatch):
    from console import search

    viewer_client.get("/users/")  # loads and keeps the viewer's permissions (a 403), as any earlier page would
    with CaptureQueriesContext(connection) as few:
        viewer_client.get(SEARCH, {"q": "call"})
    now = timezone.now()
    Conversation.objects.bulk_create(Conversation(telnyx_id=f"bulk-{n}", name=f"Call {n}", synced_at=now) for n in range(60))
    monkeypatch.setattr(search, "COUNT_CAP", 50)
    with CaptureQueriesContext(connection) as many:
        content = viewer_client.get(SEARCH, {"q": "call"}).content.decode()
    assert len(many) == len(few)
    section = content[content.index('data-testid="results-conversations"'):]
    section = section[:section.index("</section>")]
    assert "Conversations <strong>50+</strong>" in content and section.count("<li>") == search.PER_KIND
    assert "See all 50+ in the conversations list" in content


def test_a_kind_never_loaded_from_telnyx_says_so_instead_of_no_match(viewer_client):
    from portal.models import SyncState

    SyncState.objects.create(resource="assistants", synced_at=timezone.now())
    content = viewer_client.get(SEARCH, {"q": "billing"}).content.decode()
    tests = content[content.index('data-testid="results-tests"'):]
    tests = tests[:tests.index("</section>")]
    assert "Not loaded from Telnyx yet" in tests and reverse("testing:test-list") in tests
    assistants = content[content.index('data-testid="results-assistants"'):]
    assistants = assistants[:assistants.index("</section>")]
    assert "No assistants match." in assistants and "Cache loaded from Telnyx" in assistants


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own index")
def test_postgresql_has_the_test_name_trigram_index():
    """Its statistics keep the planner walking the name index for a word every test holds
    (testing migration 0006), its trigrams serve a rare one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'testing_assistanttest'")
        assert "testing_test_name_upper_trgm" in {row[0] for row in cursor.fetchall()}
