"""The Django-admin changelist pattern for cached listings: search, filters, sort, pages.

A view builds a `ChangeList` from the request's query string; every parameter name is a
constant, sort keys are whitelisted, and bad values are ignored (shown as form errors),
never a 500. Links keep the whole state through `{% querystring %}`.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Callable

from django import forms
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from core.cache import generations

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
#: How long a kept count or list of filter choices may lag a write nobody stamped (a delete).
KEPT_SECONDS = 300
#: How long a rendered fragment is kept; the key also holds the minute, for relative times.
FRAGMENT_SECONDS = 60


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pickers: set[str] = set()

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
    order_field = by_key[sort.lstrip("-")].field
    prefix = "-" if sort.startswith("-") else ""
    queryset = queryset.order_by(f"{prefix}{order_field}", f"{prefix}pk")
    return Selection(queryset=queryset, form=form, active=active, query=query, sort=sort)


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
) -> ChangeList:
    """Filter → search → order (with a pk tiebreaker) → paginate, from request.GET.

    With `kept_as` (the resource name) the count is kept per normalised query (see `kept`)."""
    selection = select(request, queryset, form_class, columns, default_sort,
                       filter_value_transforms=filter_value_transforms, form_kwargs=form_kwargs)
    queryset, form, active, query, sort = (selection.queryset, selection.form, selection.active, selection.query,
                                           selection.sort)
    by_key = {c.key: c for c in columns}

    paginator = Paginator(queryset, page_size)
    if kept_as:
        # Counting 100,000 rows on every request is the page's costliest query: keep it per query.
        normalised = sorted((k, str(v)) for k, v in {**active, SEARCH_PARAM: query}.items())
        paginator.count = kept(kept_as, f"count:{normalised}", lambda: queryset.count(), queryset.model)
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
    )


def page_number(raw: str | None) -> int:
    """A page number from the query string: digits only, at least 1, at most MAX_PAGE.

    `1e23`, `-1` or `abc` give page 1; the paginator turns a number past the end into the last page.
    """
    raw = (raw or "").strip()
    if not raw.isdigit():
        return 1
    return min(max(int(raw), 1), MAX_PAGE)


def kept(resource: str, name: str, compute, model=None):
    """`compute()`, kept in the shared cache until `model`'s table changes (its generation moves
    with every write, see `core.cache`), or at most KEPT_SECONDS."""
    generation = generations([model]) if model is not None else ()
    key = "changelist:" + hashlib.sha256(f"{resource}|{generation}|{name}".encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, KEPT_SECONDS)
    return value


class Fragments:
    """The rendered parts of one changelist page (`{% kept_fragment "table" %}`), kept per
    (resource, generation of every table the page reads, its sync state, path and query,
    the viewer's role, the minute), so a repeat view runs no list query and renders no rows.

    A write bumps a generation (`core.cache`), so nobody sees a stale row after a save; the
    role is in the key, so a Viewer never gets the buttons rendered for an Admin; the minute
    is, so "3 minutes ago" stays true. The CSRF token is kept as a placeholder and each
    response gets its own."""

    CSRF_PLACEHOLDER = "\x00csrf\x00"
    #: Where a kept fragment needs a fresh Idempotency-Key per response (`{% new_idempotency_key %}`).
    KEY_PLACEHOLDER = "\x00idempotency-key\x00"

    def __init__(self, request, *, resource: str, tables, state, stale: bool, template: str, vary=None):
        from portal.roles import role_name

        query = sorted(request.GET.lists())
        parts = (resource, template, generations(tables), state.synced_at, state.last_error, bool(state.run_id),
                 stale, request.path, query, role_name(request.user), bool(request.htmx), int(time.time() // 60),
                 sorted((vary or {}).items()))
        self.prefix = "fragment:" + hashlib.sha256(repr(parts).encode()).hexdigest()
        self.request = request
        self._found: dict[str, str | None] = {}

    def get(self, name: str) -> str | None:
        if name not in self._found:
            self._found[name] = cache.get(f"{self.prefix}:{name}")
        return self._found[name]

    def render(self, name: str, csrf_token: str, render) -> str:
        """The kept fragment `name`, or `render()` kept for next time, with placeholders for the
        per-response values (`fill` puts them in once the whole page is rendered)."""
        html = self.get(name)
        if html is None:
            html = render()
            if csrf_token:
                html = html.replace(csrf_token, self.CSRF_PLACEHOLDER)
            self._found[name] = html
            cache.set(f"{self.prefix}:{name}", html, FRAGMENT_SECONDS)
        return html

    def fill(self, html: str) -> str:
        """This response's CSRF token and a new Idempotency-Key where the placeholders are."""
        from django.middleware.csrf import get_token

        from portal.telnyx import new_idempotency_key

        if self.CSRF_PLACEHOLDER in html:
            html = html.replace(self.CSRF_PLACEHOLDER, get_token(self.request))
        if self.KEY_PLACEHOLDER in html:
            html = re.sub(re.escape(self.KEY_PLACEHOLDER), lambda _: new_idempotency_key(), html)
        return html


def remember_query(request, name: str) -> None:
    """Keep the changelist's query string so links back to it restore search, filters, page.

    Writes the session only when the query changed: a session save on every GET is a database
    write per page view (and on SQLite it locks out other writers)."""
    key, query = f"changelist:{name}", request.GET.urlencode()
    if request.session.get(key, "") != query:
        request.session[key] = query


def remembered_query(request, name: str) -> str:
    return request.session.get(f"changelist:{name}", "")


def refresh_from_request(request, resource: str, sync):
    """Refresh a listing for a Refresh click: queue its sync on a worker (a registered
    listing) or run `sync` here. An automatic refresh (POST `if_stale=1`) does nothing if the
    cache is fresh again, or if the last attempt just failed (the page shows that error)."""
    from core.background import enqueue_listing_sync, is_registered, listing_sync_active
    from core.sync import SyncOutcome, is_stale, sync_state

    if request.POST.get("waiting") and is_registered(resource) and listing_sync_active(resource):
        return SyncOutcome(ran=False, queued=True)  # the queued sync has not finished: keep waiting
    if request.POST.get("if_stale"):
        state = sync_state(resource)
        if not is_stale(state):
            return None
        if _just_failed(state) and not _queued_since(state):
            return None
    if is_registered(resource):
        return enqueue_listing_sync(resource)
    return sync()


# An automatic refresh right after a failed one would only fail again, every poll.
RETRY_FAILED_AFTER = timedelta(seconds=60)


def _just_failed(state) -> bool:
    from django.utils import timezone

    return bool(state.last_error and state.last_attempt_at and state.lease_until is None
                and timezone.now() - state.last_attempt_at < RETRY_FAILED_AFTER)


def _queued_since(state) -> bool:
    """True when a sync of `state`'s listing was queued after its last (failed) attempt."""
    from core.background import listing_sync_active

    return listing_sync_active(state.resource, since=state.last_attempt_at)


def render_changelist(
    request,
    *,
    template: str,
    queryset: QuerySet,
    form_class: type[FilterForm],
    columns: list[Column],
    default_sort: str,
    resource: str,
    remember_as: str,
    form_kwargs: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
    extra: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
    fragment: bool = False,
    tables: list | None = None,
    outcome=None,
    vary: dict[str, Any] | None = None,
    exports=None,
    state=None,
):
    """Render a cache-backed changelist page, or only its `#table` fragment for HTMX or a refresh.

    `form_kwargs` and `extra` may be functions: they are called only when a part of the page
    must be rendered again, not when kept fragments (see `Fragments`) serve the whole answer;
    an `extra` dict (cheap values the page's title may need) and `vary` are always passed,
    and kept fragments are kept per their values.
    `tables` are the models the rendered parts read (default: the queryset's); `state` is the
    listing's SyncState when the view has read it already (one query less per view).
    `exports` (columns or a `core.export.Export`) adds "Export CSV" of what the query selects."""
    from django.shortcuts import render

    from core.export import as_export, export_response, wants_export
    from core.sync import is_stale, sync_state

    if CHOICES_PARAM in request.GET:
        return choices_response(request, form_class(**_called(form_kwargs)))
    export = as_export(exports)
    if export is not None and wants_export(request):
        selection = select(request, queryset, form_class, columns, default_sort, form_kwargs=_called(form_kwargs))
        return export_response(request, export=export, queryset=selection.queryset, resource=resource)
    remember_query(request, remember_as)
    state = state if state is not None else sync_state(resource)
    stale = is_stale(state)
    if state.synced_at is None and request.method == "GET":
        _queue_first_sync(resource)
    fragment = fragment or outcome is not None or bool(request.htmx)
    vary = {**(extra if isinstance(extra, dict) else {}), **(vary or {})}
    context = {"sync": state, "stale": stale, "outcome": outcome, **vary}
    fragments = None
    if outcome is None and request.method == "GET":  # a refresh's answer says what it did: never kept
        fragments = Fragments(request, resource=resource, tables=tables or [queryset.model], state=state, stale=stale,
                              template=template, vary=vary)
        context["fragments"] = fragments
    if fragments is None or fragments.get("table" if fragment else "page") is None:
        context["cl"] = build_changelist(request, queryset, form_class, columns, default_sort,
                                         form_kwargs=_called(form_kwargs), kept_as=resource)
        context["cl"].export = export is not None and (not export.permission or request.user.has_perm(export.permission))
        if callable(extra):
            context.update(extra())
    response = render(request, f"{template}#table" if fragment else template, context)
    if fragments is not None:
        response.content = fragments.fill(response.content.decode()).encode()
    return response


def _queue_first_sync(resource: str) -> None:
    """A list never synced queues its first sync on its first view, from the server: the page
    says "Syncing" at once and no longer waits for the sweep or for its script to ask. (Where
    tasks run inline, the page's own auto-refresh runs it instead.)"""
    from core.background import eager, is_registered, sync_if_stale

    if not eager() and is_registered(resource):
        sync_if_stale(resource)


def _called(value):
    return (value() if callable(value) else value) or {}


def choices_response(request, form: FilterForm):
    """A picker's matching choices as <option>s for its <datalist>."""
    from django.http import Http404, HttpResponse
    from django.utils.html import format_html_join

    name = request.GET.get(CHOICES_PARAM, "")
    if name not in form.fields or not hasattr(form.fields[name], "choices"):
        raise Http404("No such filter.")
    term = request.GET.get(name, "")
    return HttpResponse(format_html_join("", '<option value="{}">{}</option>', form.matching_choices(name, term)))


@dataclass
class ChangelistSpec:
    """One changelist, declared once (like a ModelAdmin): its list view and refresh view are one line each.

    `queryset`, `form_kwargs` and `extra` are called per request so they read the cache then.
    `sync` runs on Refresh; `list_url` is where a non-HTMX Refresh goes back to.
    """

    template: str
    queryset: Any
    form_class: type[FilterForm]
    columns: list[Column]
    default_sort: str
    resource: str
    remember_as: str
    list_url: str
    sync: Any = None
    form_kwargs: Any = None
    extra: Any = None
    #: The models its rendered parts read, when more than the queryset's (e.g. assistant names).
    tables: list | None = None
    #: Its CSV export: a list of `core.export.ExportColumn`, or an `Export` (columns, prepare, permission).
    exports: Any = None

    def render(self, request, *, outcome=None, fragment: bool = False):
        return render_changelist(
            request, template=self.template, queryset=self.queryset(), form_class=self.form_class,
            columns=self.columns, default_sort=self.default_sort, resource=self.resource,
            remember_as=self.remember_as, form_kwargs=self.form_kwargs,
            extra=(lambda: self.extra(request)) if self.extra else None, fragment=fragment, outcome=outcome,
            tables=self.tables, exports=self.exports,
        )

    def refresh(self, request):
        """Sync, then the table again (HTMX) or back to the list with its query (a plain form POST)."""
        from django.contrib import messages
        from django.shortcuts import redirect
        from django.urls import reverse

        outcome = refresh_from_request(request, self.resource, self.sync)
        if not request.htmx:
            if outcome and outcome.error:
                messages.error(request, f"Refresh failed; showing the cached list. {outcome.error.user_message}")
            query = request.GET.urlencode()
            return redirect(reverse(self.list_url) + (f"?{query}" if query else ""))
        return self.render(request, outcome=outcome or False)  # False: refreshed, nothing new to say

    def views(self, permission: Callable) -> tuple[Callable, Callable]:
        """The list view (GET) and its Refresh view (POST), both behind `permission` (a role
        decorator): `thing_list, thing_refresh = THINGS.views(read_required)`."""
        from django.views.decorators.http import require_GET, require_POST

        @require_GET
        @permission
        def list_view(request):
            return self.render(request)

        @require_POST
        @permission
        def refresh_view(request):
            return self.refresh(request)

        return list_view, refresh_view
