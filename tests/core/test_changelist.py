"""core.changelist: filter → search → sort (whitelisted) → paginate, from the query string."""

from __future__ import annotations

import pytest
from django import forms
from django.test import RequestFactory
from django.utils import timezone

from core.changelist import Column, FilterForm, build_changelist
from mcp_servers.models import McpServer

pytestmark = pytest.mark.django_db

COLUMNS = [Column("name", "Name", "name"), Column("type", "Type", "type")]


class Filters(FilterForm):
    type = forms.ChoiceField(required=False, choices=[("", "All"), ("sse", "sse"), ("http", "http")])
    filter_lookups = {"type": "type"}
    search_fields = ["name", "url"]


@pytest.fixture(autouse=True)
def servers():
    for n, (name, kind) in enumerate([("Alpha", "sse"), ("Beta", "http"), ("Gamma", "sse"), ("Delta", "http")]):
        McpServer.objects.create(telnyx_id=f"m{n}", name=name, type=kind, url=f"https://{name.lower()}.example",
                                 synced_at=timezone.now())


def changelist(query: dict, **kw):
    return build_changelist(RequestFactory().get("/", query), McpServer.objects.all(), Filters, COLUMNS, "name", **kw)


def names(cl) -> list[str]:
    return [row.name for row in cl.page.object_list]


def test_filter_and_search_combine():
    cl = changelist({"type": "sse", "q": "gam"})
    assert names(cl) == ["Gamma"] and cl.active_filters == {"type": "sse"} and cl.query == "gam"


def test_sort_descending_and_header_toggles():
    cl = changelist({"sort": "-name"})
    assert names(cl) == ["Gamma", "Delta", "Beta", "Alpha"]
    header = next(h for h in cl.headers() if h["key"] == "name")
    assert header["sorted"] and header["descending"] and header["next"] == "name"


def test_an_unknown_sort_or_filter_value_falls_back_instead_of_failing():
    cl = changelist({"sort": "payload", "type": "ftp"})
    assert names(cl) == ["Alpha", "Beta", "Delta", "Gamma"] and "type" in cl.form.errors


def test_pages_split_the_list_with_a_total():
    cl = changelist({"page": "2"}, page_size=3)
    assert names(cl) == ["Gamma"] and cl.total == 4 and cl.page.number == 2
