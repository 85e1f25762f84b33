"""A changelist's query string, kept in the session, so links back to it restore search,
filters and page."""

from __future__ import annotations


def remember_query(request, name: str) -> None:
    """Keep the changelist's query string so links back to it restore search, filters, page.

    Writes the session only when the query changed: a session save on every GET is a database
    write per page view (and on SQLite it locks out other writers)."""
    key, query = f"changelist:{name}", request.GET.urlencode()
    if request.session.get(key, "") != query:
        request.session[key] = query


def remembered_query(request, name: str) -> str:
    return request.session.get(f"changelist:{name}", "")
