"""From a request's query string to one page of rows: search, filters, sort, pages.

A view builds a `ChangeList` from the request's query string; every parameter name is a
constant, sort keys are whitelisted, and bad values are ignored (shown as form errors),
never a 500. Links keep the whole state through `{% querystring %}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from core.changelist.kept import kept

SEARCH_PARAM = "q"
SORT_PARAM = "sort"
PAGE_PARAM = "page"
PAGE_SIZE = 50
#: A filter with more choices than this is a search-as-you-type picker, not a <select>.
PICKER_THRESHOLD = 200
#: The query parameter a picker asks its matching choices with: `?_choices=<field>&term=...`.
CHOICES_PARAM = "_choices"
PICKER_MATCHES = 20
#: Largest page number taken from a query string; anything beyond is the last page.
MAX_PAGE = 10**6


@dataclass
class Column:
    """A sortable column: its header label and the ORM field it orders by."""

    key: str
    label: str
    field: str


@dataclass
class ChangeList:
    """The result of applying a request's query string to a queryset."""

    page: Page
    total: int
    form: forms.Form
    sort: str
    columns: dict[str, Column]
    query: str = ""
    active_filters: dict[str, Any] = field(default_factory=dict)
    chips: list[dict] = field(default_factory=list)
    #: True when the list offers "Export CSV" (`core.export`) of what it selects.
    export: bool = False
    #: True when a search matched more than the form's `search_count_cap` (`total` is the cap).
    total_capped: bool = False

    @property
    def sort_key(self) -> str:
        return self.sort.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def sort_link(self, key: str) -> str:
        """The sort value a header click should set: toggles direction on the current key."""
        if key == self.sort_key and not self.descending:
            return f"-{key}"
        return key

    def headers(self) -> list[dict]:
        return [
            {
                "key": column.key,
                "label": column.label,
                "sorted": column.key == self.sort_key,
                "descending": self.descending,
                "next": self.sort_link(column.key),
            }
            for column in self.columns.values()
        ]


class FilterForm(forms.Form):
    """Base for a changelist's search-and-filter form. Subclasses add filter fields."""

    q = forms.CharField(required=False, max_length=200)
    sort = forms.CharField(required=False, max_length=50)

    #: field name → ORM lookup, e.g. {"model": "model", "tag": "tags_index__contains"}
    filter_lookups: dict[str, str] = {}
    #: ORM fields the search box matches (icontains), e.g. ["name", "telnyx_id"]
    search_fields: list[str] = []
    #: field name → function turning the cleaned value into the lookup's value
    value_transforms: dict[str, Any] = {}
    #: filters `filter_queryset` applies (not lookups), shown as chips like the others
    extra_filters: list[str] = []
    #: With a number, a search counts at most this many matches ("1,000+ results", that many
    #: pages) rather than every match of a large table; None counts them all.
    search_count_cap: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pickers: set[str] = set()

    @property
    def has_filters(self) -> bool:
        """True when the form has a filter beside the search and sort (the page shows its Filter aside)."""
        return any(name not in (SEARCH_PARAM, SORT_PARAM) for name in self.fields)

    def use_pickers(self) -> None:
        """Turn every filter with more than PICKER_THRESHOLD choices into a text box that asks
        the list for matching choices as you type (a <select> of 1,000 options is 50 KB a page)."""
        for name, field_ in self.fields.items():
            choices = getattr(field_, "choices", None)
            if choices is not None and len(choices) > PICKER_THRESHOLD:
                self.pickers.add(name)
                field_.widget = forms.TextInput(attrs={
                    "list": f"{name}-options", "autocomplete": "off", "placeholder": "Type to search…",
                    "hx-get": "", "hx-trigger": "input changed delay:250ms", "hx-target": f"#{name}-options",
                    "hx-swap": "innerHTML", "hx-vals": f'{{"{CHOICES_PARAM}": "{name}"}}', "name": name,
                })
                # hx-get="" asks the current list URL; `term` carries what was typed.
                field_.widget.attrs["hx-params"] = f"{CHOICES_PARAM},{name}"

    def filter_queryset(self, queryset: QuerySet, active: dict[str, Any]) -> QuerySet:
        """Filters a lookup table cannot say (e.g. a subquery), applied after `filter_lookups`;
        each one applied goes into `active` (kept counts and chips are per active filter)."""
        return queryset

    def matching_choices(self, name: str, term: str) -> list[tuple[str, str]]:
        choices = [c for c in self.fields[name].choices if c[0]]
        term = term.strip().lower()
        return [c for c in choices if term in str(c[1]).lower() or term in str(c[0]).lower()][:PICKER_MATCHES]

    def chips(self, params) -> list[dict]:
        """The active filters as chips: label, the chosen value's name, and the query string without it."""
        data = getattr(self, "cleaned_data", {}) or {}
        chips = []
        for name in [*self.filter_lookups, *self.extra_filters]:
            value = data.get(name)
            if value in (None, "", []):
                continue
            field_ = self.fields[name]
            shown = dict((str(k), v) for k, v in getattr(field_, "choices", [])).get(str(value), value)
            remaining = params.copy()
            for param in (name, PAGE_PARAM):
                remaining.pop(param, None)
            chips.append({"name": name, "label": field_.label or name.replace("_", " ").capitalize(), "value": shown,
                          "remove": f"?{remaining.urlencode()}"})
        return chips


@dataclass
class Selection:
    """What a request's search, filters and sort select, before paging (the list and its export share it)."""

    queryset: QuerySet
    form: forms.Form
    active: dict[str, Any]
    query: str
    sort: str


def select(
    request,
    queryset: QuerySet,
    form_class: type[FilterForm],
    columns: list[Column],
    default_sort: str,
    *,
    filter_value_transforms: dict[str, Any] | None = None,
    form_kwargs: dict[str, Any] | None = None,
) -> Selection:
    """Filter → search → order (with a pk tiebreaker), from request.GET."""
    form = form_class(request.GET or None, **(form_kwargs or {}))
    form.use_pickers()
    form.is_valid()  # invalid fields are dropped from cleaned_data and shown as errors
    data = getattr(form, "cleaned_data", {}) or {}
    by_key = {c.key: c for c in columns}

    active = {}
    transforms = {**form_class.value_transforms, **(filter_value_transforms or {})}
    for name, lookup in form_class.filter_lookups.items():
        value = data.get(name)
        if value not in (None, "", []):
            if name in transforms:
                value = transforms[name](value)
            queryset = queryset.filter(**{lookup: value})
            active[name] = data.get(name)
    queryset = form.filter_queryset(queryset, active)

    query = (data.get(SEARCH_PARAM) or "").strip()
    if query and form_class.search_fields:
        condition = Q()
        for field_name in form_class.search_fields:
            condition |= Q(**{f"{field_name}__icontains": query})
        queryset = queryset.filter(condition)

    sort = data.get(SORT_PARAM) or default_sort
    if sort.lstrip("-") not in by_key:
        sort = default_sort
    queryset = queryset.order_by(*ordering(columns, sort))
    return Selection(queryset=queryset, form=form, active=active, query=query, sort=sort)


def ordering(columns: list[Column], sort: str) -> tuple[str, str]:
    """The ORM order of a whitelisted `sort` ("created", "-name"): its column's field, then pk."""
    field = next(c.field for c in columns if c.key == sort.lstrip("-"))
    prefix = "-" if sort.startswith("-") else ""
    return f"{prefix}{field}", f"{prefix}pk"


def build_changelist(
    request,
    queryset: QuerySet,
    form_class: type[FilterForm],
    columns: list[Column],
    default_sort: str,
    *,
    page_size: int = PAGE_SIZE,
    filter_value_transforms: dict[str, Any] | None = None,
    form_kwargs: dict[str, Any] | None = None,
    kept_as: str = "",
    count: Callable[[dict, str], int | None] | None = None,
) -> ChangeList:
    """Filter → search → order (with a pk tiebreaker) → paginate, from request.GET.

    With `kept_as` (the resource name) the count is kept per normalised query (see `kept`).
    `count(active filters, search)` may answer the count from somewhere cheaper than the table
    (a rollup the app keeps); None means it cannot for this query."""
    selection = select(request, queryset, form_class, columns, default_sort,
                       filter_value_transforms=filter_value_transforms, form_kwargs=form_kwargs)
    queryset, form, active, query, sort = (selection.queryset, selection.form, selection.active, selection.query,
                                           selection.sort)
    by_key = {c.key: c for c in columns}

    paginator = Paginator(queryset, page_size)
    cap = form_class.search_count_cap if query else None
    # Unordered: the capped count stops at cap + 1 matches in any order, with no sort of them all.
    count_rows = (lambda: queryset.order_by()[:cap + 1].count()) if cap else queryset.count
    counted = count(active, query) if count is not None else None
    if counted is not None:
        paginator.count = counted
    elif kept_as:
        # Counting 100,000 rows on every request is the page's costliest query: keep it per query.
        normalised = sorted((k, str(v)) for k, v in {**active, SEARCH_PARAM: query}.items())
        paginator.count = kept(kept_as, f"count:{normalised}", count_rows, queryset.model)
    elif cap:
        paginator.count = count_rows()
    capped = bool(cap) and paginator.count > cap
    if capped:
        paginator.count = cap
    page = paginator.get_page(page_number(request.GET.get(PAGE_PARAM)))
    return ChangeList(
        page=page,
        total=paginator.count,
        form=form,
        sort=sort,
        columns=by_key,
        query=query,
        active_filters=active,
        chips=form.chips(request.GET),
        total_capped=capped,
    )


def page_number(raw: str | None) -> int:
    """A page number from the query string: digits only, at least 1, at most MAX_PAGE.

    `1e23`, `-1` or `abc` give page 1; the paginator turns a number past the end into the last page.
    """
    raw = (raw or "").strip()
    if not raw.isdigit():
        return 1
    return min(max(int(raw), 1), MAX_PAGE)
