"""A cache-backed changelist page, or only its `#table` fragment, from kept parts where it can."""

from __future__ import annotations

from typing import Any, Callable

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html_join

from core import waiting
from core.changelist.columns import apply_column_choice
from core.changelist.kept import Fragments, split
from core.changelist.memory import remember_query
from core.changelist.query import CHOICES_PARAM, Column, FilterForm, build_changelist, select
from core.export import as_export, export_response, wants_export
from core.htmx import is_htmx
from core.sync import is_stale


def render_changelist(
    request,
    *,
    template: str,
    queryset: QuerySet | Callable[[], QuerySet],
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
    state,
    count: Callable[[dict, str], int | None] | None = None,
):
    """Render a cache-backed changelist page, or only its `#table` fragment for HTMX or a refresh.

    `form_kwargs` and `extra` may be functions: they are called only when a part of the page
    must be rendered again, not when kept fragments (see `Fragments`) serve the whole answer;
    an `extra` dict (cheap values the page's title may need) and `vary` are always passed,
    and kept fragments are kept per their values.
    `tables` are the models the rendered parts read (default: the queryset's); `state` is the
    listing's SyncState as the view read it (`ChangelistSpec.render`: with the session, read ahead).
    `exports` (columns or a `core.export.Export`) adds "Export CSV" of what the query selects;
    `count` answers the total from a rollup where it can (see `build_changelist`).
    `queryset` may be a function too, called only when rows are read (a kept page reads none)."""
    rows = queryset if callable(queryset) else (lambda: queryset)
    if CHOICES_PARAM in request.GET:
        return choices_response(request, form_class(**_called(form_kwargs)))
    export = as_export(exports)
    if export is not None and wants_export(request):
        selection = select(request, rows(), form_class, columns, default_sort, form_kwargs=_called(form_kwargs))
        return export_response(request, export=export, queryset=selection.queryset, resource=resource)
    remember_query(request, remember_as)
    stale = is_stale(state)
    if _awaits_sync(request, resource, state, stale):
        waiting.mark()  # the list awaits a sync on the worker: the worker banner may speak here
    fragment = fragment or outcome is not None or is_htmx(request)
    vary = {**(extra if isinstance(extra, dict) else {}), **(vary or {})}
    context = {"sync": state, "stale": stale, "outcome": outcome, **vary}
    fragments = None
    if outcome is None and request.method == "GET":  # a refresh's answer says what it did: never kept
        fragments = Fragments(request, resource=resource, tables=tables or [rows().model], state=state, stale=stale,
                              template=template, vary=vary)
        context["fragments"] = fragments
    kept_page = fragments.page() if fragments is not None and not fragment else None
    if kept_page is not None:  # the whole page, chrome and all, as kept: no template is rendered
        response, content = HttpResponse(), kept_page
    else:
        if fragments is None or fragments.get("table" if fragment else "page") is None:
            context["cl"] = build_changelist(request, rows(), form_class, columns, default_sort,
                                             form_kwargs=_called(form_kwargs), kept_as=resource, count=count)
            context["cl"].export = export is not None and (not export.permission or request.user.has_perm(export.permission))
            if callable(extra):
                context.update(extra())
        response = render(request, f"{template}#table" if fragment else template, context)
        # Per person, on the page made from the shared fragments (which keep every column): the
        # columns they hid are not sent. The whole page is kept after it, per hidden set (`_page_key`).
        html = apply_column_choice(request, response.content.decode(),
                                   token=Fragments.CSRF_PLACEHOLDER if fragments is not None else None)
        if fragments is not None and not fragment:
            fragments.keep_page(html)
        content = split(html.encode()) if fragments is not None else html.encode()
    response.content = fragments.fill(content) if fragments is not None else content
    return response


def _awaits_sync(request, resource: str, state, stale: bool) -> bool:
    """Whether the list awaits a sync on the worker: never one no Telnyx listing fills (the audit
    log: its page pays no worker banner's reads). A list never synced queues its first sync on its
    first view, from the server: the page says "Syncing" at once and no longer waits for the sweep
    or for its script to ask. (Where tasks run inline, the page's own auto-refresh runs it instead.)"""
    from core.background import eager, is_registered, sync_if_stale

    if not is_registered(resource):
        return False
    if state.synced_at is None and request.method == "GET" and not eager():
        sync_if_stale(resource, state)
    return bool(stale or state.synced_at is None or (state.lease_until and state.lease_until > timezone.now()))


def _called(value):
    return (value() if callable(value) else value) or {}


def choices_response(request, form: FilterForm):
    """A picker's matching choices as <option>s for its <datalist>."""
    name = request.GET.get(CHOICES_PARAM, "")
    if name not in form.fields or not hasattr(form.fields[name], "choices"):
        raise Http404("No such filter.")
    term = request.GET.get(name, "")
    return HttpResponse(format_html_join("", '<option value="{}">{}</option>', form.matching_choices(name, term)))
