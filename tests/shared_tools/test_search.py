"""The tool library's search through its trigram index finds exactly what the plain substring
match of the name or the id finds — odd characters, terms under three characters (no trigram),
other case — by either path (few matches read by key, many walked); the index follows inserts,
renames and deletes (an AlterField on SQLite would drop its triggers); a search matching more
than the list's cap says so."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.cache import cache_delete, cache_put_many
from core.sync import vacuum_analyze
from shared_tools import search
from shared_tools.forms import SharedToolFilterForm
from shared_tools.models import SharedTool
from shared_tools.services import tool_fields

pytestmark = pytest.mark.django_db
LIST = reverse("shared_tools:tool-list")
migration = importlib.import_module("shared_tools.migrations.0003_name_search_indexes")
NAMES = {
    "tool-Refund-01": "Refund lookup",
    "tool-abc-02": "REFUND desk (EU)",
    "tool-x-03": "100% sure_thing",
    "tool-x-04": 'Say "hello" \\ back',
    "tool-x-05": "Crème brûlée order",
    "tool-x-06": "CRÈME BRÛLÉE ORDER",
    "tool-x-07": "a_b%c",
    "tool-x-08": "Billing: O'Brien's line",
    "tool-x-09": "",
    "tool-x-10": "lookup 42",
    "tool-x-11": "lookup 420",
}
QUERIES = ["refund", "REFUND", "Refund lookup", "efu", "re", "r", "42", "lookup 42", "up 4", "tool-x", "TOOL-ABC", "abc",
           "100%", "%", "_", "a_b", "sure_t", '"hello"', '"', "\\", "\\ back", "crème", "CRÈME", "Crè", "brûlée", "o'brien",
           "'", "(eu)", "desk (", "  ", "zzzz", "-0", "tool-x-0"]


@pytest.fixture
def tools():
    now = timezone.now()
    cache_put_many(SharedTool, [{"id": telnyx_id, "display_name": name, "type": "webhook", "created_at": now.isoformat()}
                                for telnyx_id, name in NAMES.items()], tool_fields)


def found(query: str) -> set[str]:
    return set(search.search(SharedTool.objects.all(), query).values_list("telnyx_id", flat=True))


def reference(query: str) -> set[str]:
    return set(SharedTool.objects.filter(search.substring(query)).values_list("telnyx_id", flat=True))


@pytest.mark.parametrize("path", ["few: the index's ids read by key", "many: each walked row tested"])
def test_the_search_finds_exactly_what_the_substring_match_finds(tools, path, monkeypatch):
    if path.startswith("many"):
        monkeypatch.setattr(search, "FEW", 0)
    matched = 0
    for query in QUERIES:
        expected = reference(query)
        assert found(query) == expected, query
        matched += bool(expected)
    assert matched >= len(QUERIES) - 2  # nearly every query matches something: the equality says something
    # Python's own substring test agrees on the cases that matter (ASCII case folded, the rest exact).
    assert found("refund") == {"tool-Refund-01", "tool-abc-02"}
    assert found("%") == {"tool-x-03", "tool-x-07"} and found("_") == {"tool-x-03", "tool-x-07"}
    assert found("re") >= {"tool-Refund-01", "tool-abc-02", "tool-x-03"}  # "sure": under a trigram


def test_the_index_follows_inserts_renames_and_deletes(tools):
    """On SQLite the index is kept by triggers: were they dropped (a table rebuilt by a migration),
    a renamed or new tool would go unfound by the few path, which reads ids from the index alone."""
    assert found("zanzibar") == set()
    SharedTool.objects.filter(telnyx_id="tool-x-10").update(display_name="Zanzibar lookup")
    cache_put_many(SharedTool, [{"id": "tool-new-12", "display_name": "zanzibar ferry", "type": "hangup"}], tool_fields)
    cache_put_many(SharedTool, [{"id": "tool-x-11", "display_name": "ZANZIBAR again", "type": "hangup"}], tool_fields)  # upsert
    assert found("zanzibar") == {"tool-x-10", "tool-new-12", "tool-x-11"} == reference("zanzibar")
    assert found("lookup 42") == set()  # the old names are gone from the index too
    cache_delete(SharedTool.objects.filter(telnyx_id="tool-new-12"))
    assert found("zanzibar") == {"tool-x-10", "tool-x-11"}
    if connection.vendor == "sqlite" and search.sqlite3.sqlite_version_info >= (3, 34):
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO shared_tools_search_trigram(shared_tools_search_trigram) VALUES ('integrity-check')")
            cursor.execute("SELECT COUNT(*) FROM shared_tools_search_trigram WHERE shared_tools_search_trigram MATCH '\"zanzibar\"'")
            assert cursor.fetchone()[0] == 2


def test_the_list_searches_with_the_type_filter_and_caps_its_count(viewer_client, tools, monkeypatch):
    page = viewer_client.get(LIST, {"q": "REFUND"}).content.decode()
    assert "Refund lookup" in page and "REFUND desk (EU)" in page and "2 results" in page
    assert "Crème" not in viewer_client.get(LIST, {"q": "lookup", "type": "hangup"}).content.decode()
    monkeypatch.setattr(SharedToolFilterForm, "search_count_cap", 1)
    assert "1+ results" in viewer_client.get(LIST, {"q": "refund"}).content.decode()
    assert "1 result" in viewer_client.get(LIST, {"q": "brien"}).content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own indexes")
def test_postgresql_has_the_trigram_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'shared_tools_sharedtool'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"shared_tool_name_upper_trgm", "shared_tool_id_upper_trgm"} <= names
    # The list's order walked index-only, testing the UPPER(...) the index holds (`search.search`).
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'shared_tool_name_upper_cover'")
        assert "upper((display_name)::text), upper((telnyx_id)::text)" in cursor.fetchone()[0]


def test_the_type_choices_read_by_skip_scan_are_every_distinct_type_in_order(tools):
    for n, kind in enumerate(["retrieval", "Webhook", "webhook", "", "a b", "a", "ä", "hangup", "hangup"]):
        SharedTool.objects.create(telnyx_id=f"tool-type-{n}", display_name="t", type=kind, synced_at=timezone.now())
    expected = list(SharedTool.objects.exclude(type="").order_by("type").values_list("type", flat=True).distinct())
    assert SharedTool.values_in_use("type") == expected
    assert {"retrieval", "Webhook", "webhook", "a b", "a", "ä", "hangup"} <= set(expected) and "" not in expected


def count_queries(captured) -> int:
    return sum("COUNT(" in q["sql"].upper() for q in captured.captured_queries)


@pytest.mark.parametrize("path", ["few", "many"])
def test_a_search_shows_its_count_from_the_probe_without_counting_again(viewer_client, tools, path, monkeypatch):
    """Without a filter the total is the probe's (its ids, or past FEW "cap+ results"), at any
    size: no count query, so a library of 100,000 runs the queries one of 1,000 runs."""
    if path == "many":
        monkeypatch.setattr(search, "FEW", 1)
        monkeypatch.setattr(SharedToolFilterForm, "search_count_cap", 1)
    with CaptureQueriesContext(connection) as captured:
        page = viewer_client.get(LIST, {"q": "refund"}).content.decode()
    assert count_queries(captured) == 0
    if path == "many":  # a page of one: the cap
        assert "1+ results" in page and ("Refund lookup" in page) != ("REFUND desk (EU)" in page)
    else:
        assert "2 results" in page and "Refund lookup" in page and "REFUND desk (EU)" in page
        # Only what `icontains` finds is counted: SQLite's trigram index folds "È" to "è", its LIKE does not.
        page = viewer_client.get(LIST, {"q": "crème"}).content.decode()
        expected = len(reference("crème"))
        assert f'muted">{expected} result{"s" if expected != 1 else ""}' in page


@pytest.mark.parametrize("path", ["few", "many"])
def test_the_type_filter_beside_a_search_finds_the_tools_of_that_type_holding_it(viewer_client, tools, path, monkeypatch):
    if path == "many":
        monkeypatch.setattr(search, "FEW", 0)
    SharedTool.objects.filter(telnyx_id__in=["tool-x-10", "tool-abc-02"]).update(type="retrieval")
    page = viewer_client.get(LIST, {"q": "42", "type": "retrieval"}).content.decode()
    assert "lookup 42" in page and "lookup 420" not in page and "1 result" in page
    assert "Type" in page and "?q=42" in page  # the type's chip, removable, keeps the search
    page = viewer_client.get(LIST, {"q": "refund", "type": "retrieval"}).content.decode()
    assert "REFUND desk (EU)" in page and "Refund lookup" not in page and "1 result" in page
    form = SharedToolFilterForm({"q": "lookup", "type": "webhook"}, type_choices=[("webhook", "webhook"), ("retrieval", "retrieval")])
    assert form.is_valid()
    rows = form.filter_queryset(SharedTool.objects.all(), active := {})
    assert set(rows.values_list("telnyx_id", flat=True)) == {"tool-Refund-01", "tool-x-11"} and active == {"type": "webhook"}


def listed(page: str) -> list[str]:
    return re.findall(r'class="row-title" href="/tools/([^/"]+)/"', page)


@pytest.mark.parametrize("path", ["few", "many"])
@pytest.mark.parametrize("sort, order", [("", ("display_name", "pk")), ("-name", ("-display_name", "-pk")),
                                         ("created", ("created_at", "pk")), ("-type", ("-type", "-pk"))])
def test_a_search_lists_its_first_matches_in_the_list_order(viewer_client, tools, path, sort, order, monkeypatch):
    """Many matches read by key on PostgreSQL (the first cap + 1 in the list's order, from the name
    index's walk): the page holds the same rows in the same order as the plain match sorted."""
    for n, telnyx_id in enumerate(NAMES):
        SharedTool.objects.filter(telnyx_id=telnyx_id).update(created_at=timezone.now() - timedelta(minutes=(n * 7) % 11),
                                                              type=("webhook", "hangup", "retrieval")[n % 3])
    if path == "many":
        monkeypatch.setattr(search, "FEW", 3)
        monkeypatch.setattr(SharedToolFilterForm, "search_count_cap", 3)
    expected = list(SharedTool.objects.filter(search.substring("o")).order_by(*order).values_list("telnyx_id", flat=True))
    page = viewer_client.get(LIST, {"q": "o", "sort": sort}).content.decode()
    if path == "many":
        assert listed(page) == expected[:3] and "3+ results" in page
    else:
        assert listed(page) == expected and f"{len(expected)} results" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's visibility map")
@pytest.mark.django_db(transaction=True)
def test_the_table_is_vacuumed_after_a_sync_so_the_search_walk_stays_index_only():
    cache_put_many(SharedTool, [{"id": f"tool-v-{i}", "display_name": f"Refund {i}", "type": "webhook"} for i in range(50)],
                   tool_fields)
    with transaction.atomic():
        vacuum_analyze(SharedTool)  # VACUUM cannot run in a transaction: nothing, no error
    vacuum_analyze(SharedTool)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relallvisible FROM pg_class WHERE relname = 'shared_tools_sharedtool'")
        assert cursor.fetchone()[0] > 0
