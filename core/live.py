"""Detail pages read live from Telnyx and fall back to the cache when Telnyx fails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from core.cache import cache_delete
from portal.telnyx import NotFoundError, TelnyxError


@dataclass
class LiveOrCached:
    """An object to show, and whether it came from the cache because Telnyx failed."""

    data: dict
    error: TelnyxError | None = None
    synced_at: datetime | None = None

    @property
    def from_cache(self) -> bool:
        return self.error is not None


def live_or_cached(fetch: Callable[[], dict], cached: Callable[[], tuple[dict, datetime] | None]) -> LiveOrCached:
    """Return `fetch()`; on a Telnyx failure return the cached copy with the error.

    A 404 is not a failure to fall back from: the object is gone, so it is re-raised, as is
    any error when nothing is cached.
    """
    try:
        return LiveOrCached(data=fetch())
    except NotFoundError:
        raise
    except TelnyxError as exc:
        found = cached()
        if found is None:
            raise
        data, synced_at = found
        return LiveOrCached(data=data, error=exc, synced_at=synced_at)


def live_or_cached_row(rows, fetch: Callable[[], dict], put: Callable[[dict], object] | None = None) -> LiveOrCached:
    """`fetch()` the object live and `put` it in the cache; if Telnyx fails, the cached row of
    `rows` (a one-row queryset) under a banner. A 404 also drops that row: Telnyx no longer has it."""

    def live() -> dict:
        try:
            data = fetch()
        except NotFoundError:
            cache_delete(rows)
            raise
        if put is not None:
            put(data)
        return data

    def cached():
        row = rows.first()
        return (row.payload, row.synced_at) if row else None

    return live_or_cached(live, cached)


def current_or_last_known(fetch: Callable[[], object], cached: Callable[[], object | None]) -> tuple[object, TelnyxError | None]:
    """For a status page that polls: the object's current state from `fetch()`, or, when
    Telnyx fails, the last known cached one with the error (re-raised if nothing is cached)."""
    try:
        return fetch(), None
    except TelnyxError as exc:
        found = cached()
        if found is None:
            raise
        return found, exc
