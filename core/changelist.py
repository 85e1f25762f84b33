"""The Django-admin changelist pattern for cached listings: search, filters, sort, pages.

A view builds a `ChangeList` from the request's query string; every parameter name is a
constant, sort keys are whitelisted, and bad values are ignored (shown as form errors),
never a 500. Links keep the whole state through `{% querystring %}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

SEARCH_PARAM = "q"
SORT_PARAM = "sort"
PAGE_PARAM = "page"
PAGE_SIZE = 50


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
) -> ChangeList:
    """Filter → search → order (with a pk tiebreaker) → paginate, from request.GET."""
    form = form_class(request.GET or None, **(form_kwargs or {}))
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

    paginator = Paginator(queryset, page_size)
    page = paginator.get_page(request.GET.get(PAGE_PARAM))
    return ChangeList(
        page=page,
        total=paginator.count,
        form=form,
        sort=sort,
        columns=by_key,
        query=query,
        active_filters=active,
    )


def remember_query(request, name: str) -> None:
    """Keep the changelist's query string so links back to it restore search, filters, page."""
    request.session[f"changelist:{name}"] = request.GET.urlencode()


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
    form_kwargs: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    fragment: bool = False,
):
    """Render a cache-backed changelist page, or only its `#table` fragment for HTMX or a refresh."""
    from django.shortcuts import render

    from core.sync import is_stale, sync_state

    remember_query(request, remember_as)
    changelist = build_changelist(request, queryset, form_class, columns, default_sort, form_kwargs=form_kwargs)
    state = sync_state(resource)
    context = {"cl": changelist, "sync": state, "stale": is_stale(state), **(extra or {})}
    return render(request, f"{template}#table" if (fragment or request.htmx) else template, context)
