"""The call log's search as a UNION of index lookups finds exactly what the single OR it
replaced found, for each kind of match; a search matching more than the list's cap shows
"N+ results"; the index migration copes with a server without pg_trgm."""

from __future__ import annotations

import importlib
import re

import pytest
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from conversations import search
from conversations.forms.filters import ConversationFilterForm
from conversations.models import Conversation
from conversations.search import search_condition
from conversations.transcripts import transcript_ids_sql, transcript_store

pytestmark = pytest.mark.django_db
LIST = reverse("conversations:conversation-list")
NAMES = {"asst-acme": "Acme Support", "asst-bill": "Billing Bot"}
migration = importlib.import_module("conversations.migrations.0010_search_indexes")


def the_or_it_replaced(query: str) -> Q:
    """The search before the UNION, one OR across every kind of match (the reference)."""
    condition = Q(name__icontains=query) | Q(telnyx_id__istartswith=query) | Q(assistant_version_id=query)
    ids = [i for i, name in NAMES.items() if query.lower() in name.lower()]
    if ids:
        condition |= Q(assistant_id__in=ids)
    number = re.sub(r"[\s().-]", "", query)
    if re.match(r"^\+?\d{3,}$", number):
        for prefix in dict.fromkeys([number, number if number.startswith("+") else f"+{number}"]):
            condition |= Q(caller__startswith=prefix)
    words = transcript_ids_sql(query)
    return condition | Q(telnyx_id__in=RawSQL(*words)) if words else condition


@pytest.fixture
def calls():
    now = timezone.now()
    specs = [  # telnyx_id, name, assistant, version, caller, transcript
        ("AbC-1", "Refund desk", "asst-acme", "v1", "+15550001111", "I want a refund on Friday"),
        ("abd-2", "Booking call", "asst-bill", "v2", "+15550009999", "Booking for two on Friday, please"),
        ("x-3", "Support call 3", "asst-acme", "v-refund", "+4930123456", "Where is Zanzibar?"),
        ("x-4", "Untitled", "asst-none", "v1", "15550001111", ""),
        ("x-5", "", "asst-bill", "v3", "", "refund refund refund"),
    ]
    for i, (telnyx_id, name, assistant, version, caller, text) in enumerate(specs):
        Conversation.objects.create(telnyx_id=telnyx_id, name=name, assistant_id=assistant, assistant_version_id=version,
                                    caller=caller, created_at=now, synced_at=now, channel="phone_call")
        if text:
            transcript_store(telnyx_id, [{"role": "user", "text": text}])


def found(condition: Q) -> set[str]:
    return set(Conversation.objects.filter(condition).values_list("telnyx_id", flat=True))


@pytest.mark.parametrize("kind, query", [
    ("name substring", "call"),
    ("name substring, other case", "REFUND DESK"),
    ("id prefix, other case", "abc"),
    ("id prefix, shared", "ab"),
    ("version id", "v-refund"),
    ("assistant name", "billing"),
    ("caller prefix", "+1555000"),
    ("caller prefix typed without +", "1555 000"),
    ("caller prefix abroad", "+4930"),
    ("transcript word", "zanzibar"),
    ("transcript words, every one", "friday refund"),
    ("a word several kinds match", "refund"),
    ("nothing", "qqqq"),
])
@pytest.mark.parametrize("path", ["few: one IN of the index lookups", "many: each walked row tested"])
def test_each_kind_of_search_finds_the_same_conversations_as_before(calls, kind, query, path, monkeypatch):
    if path.startswith("many"):  # as with a word in 100,000 transcripts: past the lookups' cap
        monkeypatch.setattr(search, "FEW", 0)
    expected = found(the_or_it_replaced(query))
    assert found(search_condition(query, NAMES)) == expected
    assert expected or query == "qqqq"  # each case matches something, so the equality says something


@pytest.mark.parametrize("many", [False, True])
def test_the_top_bar_finds_names_by_substring_either_way(viewer_client, calls, many, monkeypatch):
    if many:
        monkeypatch.setattr(search, "FEW", 0)
    assert found(search.name_condition("CALL")) == {"abd-2", "x-3"}
    assert found(search.name_condition("fu")) == {"AbC-1"}  # shorter than a trigram: still found
    page = viewer_client.get(reverse("search"), {"q": "support call"}).content.decode()
    assert "Support call 3" in page


def test_a_search_matching_more_than_the_cap_says_so(viewer_client, calls, monkeypatch):
    monkeypatch.setattr(ConversationFilterForm, "search_count_cap", 1)
    page = viewer_client.get(LIST, {"q": "refund", "traffic": "all"}).content.decode()  # two match
    assert "1+ results" in page
    assert "1 result" in viewer_client.get(LIST, {"q": "zanzibar", "traffic": "all"}).content.decode()
    # No search: the exact count, however many.
    assert "5 results" in viewer_client.get(LIST, {"traffic": "all"}).content.decode()


class FakeCursor:
    def __init__(self, installed=False, available=True, create_fails=False):
        self.rows, self.installed, self.available, self.create_fails = [], installed, available, create_fails

    def execute(self, sql):
        if "CREATE EXTENSION" in sql and self.create_fails:
            raise RuntimeError("permission denied to create extension")
        self.rows = [(1,)] if ("pg_extension" in sql and self.installed) or ("pg_available" in sql and self.available) \
            else []

    def fetchone(self):
        return self.rows[0] if self.rows else None


@pytest.mark.parametrize("cursor, usable", [
    (FakeCursor(installed=True), True),
    (FakeCursor(), True),
    (FakeCursor(available=False), False),
    (FakeCursor(create_fails=True), False),
])
def test_the_trigram_index_is_made_only_where_pg_trgm_can_be_had(cursor, usable):
    assert migration.trigram_available(cursor) is usable


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own indexes")
def test_postgresql_has_the_id_prefix_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'conversations_conversation'")
        names = {row[0] for row in cursor.fetchall()}
    assert "conv_telnyx_id_upper_like" in names
