"""Walk `page[number]`/`page[size]` listings the way the SDK's DefaultFlatPagination does."""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Protocol


class Getter(Protocol):
    """What paging needs of a client (the TelnyxClient, which imports this module)."""

    def get(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any: ...


def iterate_pages(
    client: Getter,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    page_size: int = 100,
    max_pages: int = 10_000,
) -> Iterator[Any]:
    """Yield items page by page. Stops when a page is empty or `meta` says it was the last.

    A body that is a bare JSON array (MCP servers), or an object without `meta`, is paged until
    a short or empty page, as the SDK's TopLevelArray pagination does (a full page may have more).
    """
    page_number = 1
    previous_items: list = []
    for _ in range(max_pages):
        query = dict(params or {})
        query["page[number]"] = page_number
        query["page[size]"] = page_size
        body = client.get(path, params=query).data
        if isinstance(body, list):
            items, meta = body, {}
        else:
            body = body or {}
            items, meta = body.get("data") or [], body.get("meta") or {}
        if not items:
            return
        # Whole items, not `id`s: tests and runs carry `test_id`/`run_id`, so ids alone would
        # make two different full pages look the same.
        if items == previous_items:
            # The endpoint ignored page[number] (it is not paginated): same page again, stop.
            return
        previous_items = items
        yield from items
        if not meta and len(items) < page_size:
            return  # no `meta` to follow and a short page: nothing can come after it
        current = int(meta.get("page_number") or page_number)
        total = meta.get("total_pages")
        if total is not None and current >= int(total):
            return
        page_number = current + 1
