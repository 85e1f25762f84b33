"""A changelist declared once, like a ModelAdmin: its list and Refresh views are one line each.

The same spec serves a list that is one object's children inside a richer page (an assistant's
versions, a suite's run history) and a short list read live from Telnyx (the integrations
catalogue): `spec.changelist(request, *args)` gives its `cl`, `spec.page(request, context, *args)`
renders the page or its `#table` fragment; the rows are always `includes/changelist_table.html`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from django.contrib import messages
from django.db.models import QuerySet
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from core.background import listing_sync_state, read_listing_state_ahead
from core.changelist.live import ServedPage, build_live_changelist, build_served_changelist
from core.changelist.memory import remembered_query
from core.changelist.query import PAGE_SIZE, ChangeList, Column, FilterForm, build_changelist
from core.changelist.refresh import refresh_from_request
from core.changelist.render import render_changelist
from core.confirm import confirm_page


@dataclass
class ChangelistSpec:
    """One changelist, declared once (like a ModelAdmin): its list view and refresh view are one line each.

    `queryset`, `form_kwargs` and `extra` are called per request so they read the cache then.
    `sync` runs on Refresh; `list_url` is where a non-HTMX Refresh goes back to.
    A list inside one object's page (`changelist`/`page`) needs no `resource`, `remember_as` or
    `list_url`: its `queryset(*url args)` answers a queryset, or a list of dicts read live.
    """

    template: str
    queryset: Any
    form_class: type[FilterForm]
    columns: list[Column]
    default_sort: str
    resource: str = ""
    remember_as: str = ""
    list_url: str = ""
    sync: Any = None
    form_kwargs: Any = None
    extra: Any = None
    #: The models its rendered parts read, when more than the queryset's (e.g. assistant names).
    tables: list | None = None
    #: Its CSV export: a list of `core.export.ExportColumn`, or an `Export` (columns, prepare, permission).
    exports: Any = None
    #: `vary(state)`: values read from the listing's SyncState on every view (e.g. the progress of
    #: a sync running on a worker), passed to the page and part of its kept fragments' key.
    vary: Any = None
    #: `count(active filters, search)`: the total from a rollup the app keeps, or None (see `build_changelist`).
    count: Any = None
    #: `state(resource)`: how the view reads the SyncState (default `core.background.listing_sync_state`,
    #: read ahead with the session), e.g. with more in the same query.
    state: Any = None
    #: Rows a page (20 for a history under a suite's trend).
    page_size: int = PAGE_SIZE
    #: Per-list transforms of filter values before the lookup (e.g. "main" → "").
    filter_value_transforms: dict | None = None
    #: `urls()`, reversed on the first view (the URL conf is complete by then) and kept.
    _urls: dict | None = field(default=None, init=False, repr=False, compare=False)

    def changelist(self, request, *args, form_kwargs: dict | None = None, count=None) -> ChangeList:
        """One page of the rows `queryset(*args)` gives (a queryset, a list of dicts read live from
        Telnyx, or the `ServedPage` of a list Telnyx pages itself), searched, filtered and sorted by
        the request's query string. `form_kwargs` and `count` (see `build_changelist`): what the
        caller read already, in place of the spec's."""
        rows = self.queryset(*args)
        if isinstance(rows, ServedPage):
            return build_served_changelist(request, rows, self.form_class)
        if form_kwargs is None:
            form_kwargs = (self.form_kwargs(*args) if callable(self.form_kwargs) else self.form_kwargs) or {}
        if isinstance(rows, QuerySet):
            return build_changelist(request, rows, self.form_class, self.columns, self.default_sort,
                                    page_size=self.page_size, form_kwargs=form_kwargs,
                                    filter_value_transforms=self.filter_value_transforms, count=count or self.count)
        return build_live_changelist(request, list(rows), self.form_class, self.columns, self.default_sort,
                                     page_size=self.page_size, form_kwargs=form_kwargs)

    def page(self, request, context: dict, *args, cl: ChangeList | None = None, status: int = 200):
        """A page holding this list (its `template`), or only the list's `#table` fragment for HTMX."""
        template = f"{self.template}#table" if request.htmx else self.template
        return render(request, template, {**context, "cl": cl or self.changelist(request, *args)}, status=status)

    def urls(self) -> dict[str, str]:
        """The list's URL and its Refresh URL (`<noun>-list` → `<noun>-refresh`), which every list template
        needs: the same on every view of a deployment, so reversed once per process."""
        if self._urls is None:
            try:
                refresh = reverse(self.list_url.removesuffix("-list") + "-refresh")
            except NoReverseMatch:
                refresh = ""
            self._urls = {"list_url": reverse(self.list_url), "refresh_base": refresh}
        return self._urls

    def render(self, request, *, outcome=None, fragment: bool = False):
        state = (self.state or listing_sync_state)(self.resource)
        vary = {**self.urls(), **(self.vary(state) if self.vary else {})}
        return render_changelist(
            request, template=self.template, queryset=self.queryset, form_class=self.form_class,
            columns=self.columns, default_sort=self.default_sort, resource=self.resource,
            remember_as=self.remember_as, form_kwargs=self.form_kwargs,
            extra=(lambda: self.extra(request)) if self.extra else None, fragment=fragment, outcome=outcome,
            tables=self.tables, exports=self.exports, vary=vary, state=state,
            count=self.count,
        )

    def refresh(self, request):
        """Sync, then the table again (HTMX) or back to the list with its query (a plain form POST)."""
        outcome = refresh_from_request(request, self.resource, self.sync)
        if not request.htmx:
            if outcome and outcome.error:
                messages.error(request, f"Refresh failed; showing the cached list. {outcome.error.user_message}")
            query = request.GET.urlencode()
            return redirect(reverse(self.list_url) + (f"?{query}" if query else ""))
        return self.render(request, outcome=outcome or False)  # False: refreshed, nothing new to say

    def back_to_list(self, request):
        """Back to the list as the user last left it (search, filters, page), e.g. after a delete."""
        query = remembered_query(request, self.remember_as)
        return redirect(reverse(self.list_url) + (f"?{query}" if query else ""))

    def delete_page(self, request, template: str, context: dict, *, noun: str, name: str, act: Callable):
        """An object's delete: the confirm page (GET), then `act()` (POST) and back to this list as the
        user left it, saying what happened (deleted, already gone in Telnyx, or why Telnyx refused)."""
        return confirm_page(
            request, template, context, act=act, done=f"Deleted {noun} “{name}”.",
            gone=f"“{name}” was already deleted in Telnyx; removed it from the list.", failed=f"Could not delete “{name}”.",
            then=lambda: self.back_to_list(request))

    def list_view(self, permission: Callable) -> Callable:
        """The list view (GET) alone, behind `permission`, for a list refreshed its own way."""

        @require_GET
        @permission
        def list_view(request):
            return self.render(request)

        if self.resource and self.state in (None, listing_sync_state):
            # Its sync state rides on the session's read (`portal.read_ahead`): one query fewer a view.
            list_view.read_ahead = lambda request: read_listing_state_ahead(self.resource)
        return list_view

    def views(self, permission: Callable) -> tuple[Callable, Callable]:
        """The list view (GET) and its Refresh view (POST), both behind `permission` (a role
        decorator): `thing_list, thing_refresh = THINGS.views(read_required)`."""

        @require_POST
        @permission
        def refresh_view(request):
            return self.refresh(request)

        return self.list_view(permission), refresh_view
