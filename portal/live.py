"""Detail pages read live from Telnyx and fall back to the cache when Telnyx fails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

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
