"""Records a sync cannot use: skipped, counted and shown on the tasks page, never a 500.

A sync runs inside `collecting()`; whatever it stores calls `skip()` for a record it leaves
out (an id that fails the URL check, a conversation whose insights Telnyx will not give).
The sync then saves the count and a short note on its `SyncState`.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

from portal.converters import is_telnyx_id, is_telnyx_name

logger = logging.getLogger(__name__)

_current: ContextVar[list[str] | None] = ContextVar("sync_skips", default=None)
# How much of an odd id the note keeps: enough to find it, never a whole payload.
SHOWN_CHARACTERS = 40


@contextmanager
def collecting() -> Iterator[list[str]]:
    """Collect the reasons `skip()` is called with while the block runs."""
    token = _current.set([])
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def skip(reason: str) -> None:
    logger.warning("sync skipped a record: %s", reason)
    found = _current.get()
    if found is not None:
        found.append(reason)


def shown(value: object) -> str:
    """An untrusted value as a note may show it: repr'd (control characters visible), cut short."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"


def unusable_id(fields: dict, model=None) -> str:
    """The first id among a row's columns (`telnyx_id`, `*_id`) that fails the URL check, as a
    reason to skip the row; "" when every id is usable (an empty optional id is fine). A model
    whose `telnyx_id` is a name says which URL converter it meets (`TELNYX_ID_KIND`: "str" for
    buckets, "path" for language models) and gets the name check."""
    kind = getattr(model, "TELNYX_ID_KIND", "tid")
    for name, value in fields.items():
        if name == "telnyx_id" or name.endswith("_id"):
            if name != "telnyx_id" and value in (None, ""):
                continue
            if name == "telnyx_id" and kind != "tid":
                usable = is_telnyx_name(value, slashes=kind == "path")
            else:
                usable = is_telnyx_id(value)
            if not usable:
                return f"{name} {shown(value)} is not an id the portal can use"
    return ""


def summary(reasons: list[str]) -> str:
    """The note a SyncState keeps: how many, and the first reason."""
    if not reasons:
        return ""
    more = f" (and {len(reasons) - 1} more)" if len(reasons) > 1 else ""
    return f"{reasons[0]}{more}"[:500]
