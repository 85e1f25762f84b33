"""The changelist pattern for lists read live from Telnyx (nothing cached): the same query
parameters, forms, sort headers, chips and pages as `core.changelist`, applied to a list of dicts
(`build_live_changelist`), or to the one page Telnyx served of a list it pages itself
(`ServedPage`, `build_served_changelist`: "Recently deleted" assistants).

Used where Telnyx is the only copy (the integrations catalogue, deleted assistants): the page
stays one page of rows however long the list grows, and no database query is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from django.core.paginator import Paginator

from core.changelist.query import PAGE_PARAM, PAGE_SIZE, SEARCH_PARAM, SORT_PARAM, ChangeList, Column, FilterForm, page_number


def build_live_changelist(
    request,
    items: list[dict],
    form_class: type[FilterForm],
    columns: list[Column],
    default_sort: str,
    *,
    page_size: int = PAGE_SIZE,
    form_kwargs: dict[str, Any] | None = None,
) -> ChangeList:
    """Filter (equality on `filter_lookups`' keys) → search (`search_fields`, case-insensitive)
    → sort (a column's `field` is the dict key) → paginate, from request.GET."""
    form = form_class(request.GET or None, **(form_kwargs or {}))
    form.is_valid()  # invalid fields are dropped from cleaned_data and shown as errors
    data = getattr(form, "cleaned_data", {}) or {}
    by_key = {c.key: c for c in columns}

    active = {}
    for name, key in form_class.filter_lookups.items():
        value = data.get(name)
        if value not in (None, "", []):
            items = [item for item in items if str(item.get(key) or "") == str(value)]
            active[name] = value

    query = (data.get(SEARCH_PARAM) or "").strip()
    if query and form_class.search_fields:
        needle = query.lower()
        items = [item for item in items
                 if any(needle in str(item.get(f) or "").lower() for f in form_class.search_fields)]

    sort = data.get(SORT_PARAM) or default_sort
    if sort.lstrip("-") not in by_key:
        sort = default_sort
    items = sorted(items, key=_sort_key(by_key[sort.lstrip("-")].field), reverse=sort.startswith("-"))

    paginator = Paginator(items, page_size)
    page = paginator.get_page(page_number(request.GET.get(PAGE_PARAM)))
    return ChangeList(page=page, total=paginator.count, form=form, sort=sort, columns=by_key, query=query,
                      active_filters=active, chips=form.chips(request.GET))


def _sort_key(field: str) -> Callable[[dict], tuple]:
    # Missing values sort last ascending; numbers and lengths of lists sort as numbers, the rest as text.
    def key(item: dict) -> tuple:
        value = item.get(field)
        if isinstance(value, (list, tuple)):
            value = len(value)
        if value in (None, ""):
            return (1, 0, "")
        if isinstance(value, (int, float)):
            return (0, value, "")
        return (0, 0, str(value).lower())

    return key


@dataclass
class ServedPage:
    """One page of a list Telnyx pages itself: its rows, its number, how many rows in all, rows a page."""

    items: list[dict]
    number: int
    total: int
    size: int


class _ServedRows:
    """What the paginator pages: as long as Telnyx's total, and the page it asks for is the one served."""

    def __init__(self, served: ServedPage):
        self.served = served

    def __len__(self) -> int:
        return self.served.total

    def __getitem__(self, index):
        return self.served.items


def build_served_changelist(request, served: ServedPage, form_class: type[FilterForm]) -> ChangeList:
    """The `cl` of a page Telnyx served (no search, filters or sort of ours: Telnyx chose the rows)."""
    form = form_class(request.GET or None)
    form.is_valid()
    page = Paginator(_ServedRows(served), max(served.size, 1)).get_page(served.number)
    return ChangeList(page=page, total=served.total, form=form, sort="", columns={})
