"""A cached Telnyx resource written through the one write path (`core.writes.telnyx_write`).

The MCP servers, the shared tool library and the assistant tests each keep a table of what
Telnyx holds and read and write it the same way: sync the whole list into the table, fetch one
row live (the cached copy when Telnyx fails), and for a write check the role, call the resource
layer, store Telnyx's answer, audit who changed what. `CachedResource` is that shape once, so an
app's services name only what differs (the table, the resource module, the word for one row).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

from django.db import models

from core import audit
from core.cache import cache_delete
from core.live import LiveOrCached, live_or_cached_row
from core.sync import SyncOutcome, replace_cache, run_sync
from core.writes import telnyx_write
from portal.roles import ADMINISTER, READ, require_perm
from portal.telnyx import NotFoundError, new_idempotency_key


def payload_before(row: models.Model, data: dict) -> dict:
    """What the cached copy held for each key about to be written (the audit's "before")."""
    return {k: (row.payload or {}).get(k) for k in data}


@dataclass(frozen=True)
class CachedResource:
    model: type[models.Model]  # the cache table, keyed by `telnyx_id`
    #: the resource module: list_all(), retrieve(id), create(body, idempotency_key=), update(id, body), delete(id)
    api: ModuleType
    resource_type: str  # the audit's resource type
    noun: str  # one row in the audit summaries ("MCP server")
    label_field: str  # the body key and column that name a row
    cache_put: Callable[[dict], Any]
    listing: str  # the list's name for its sync (SyncState, the tasks' register_listing)
    fields: Callable[[dict], dict]  # one Telnyx object's cache columns
    before: Callable[[models.Model, dict], dict] = payload_before
    #: `guard(telnyx_id, "update" | "delete")`, run after the role check: raises to refuse the write.
    guard: Callable[[str, str], None] | None = None

    def sync(self) -> SyncOutcome:
        """Replace the cached table with Telnyx's list, every page. A failure leaves the table as it was."""
        return run_sync(self.listing, lambda: list(self.api.list_all()),
                        lambda items: replace_cache(self.model, items, self.fields))

    def fetch(self, *, user, telnyx_id: str) -> LiveOrCached:
        """The row as Telnyx has it now (cached as it comes), or the cached copy if Telnyx fails."""
        require_perm(user, READ)
        return live_or_cached_row(self.model.objects.filter(telnyx_id=telnyx_id), lambda: self.api.retrieve(telnyx_id),
                                  self.cache_put)

    def _check(self, user, telnyx_id: str, action: str) -> None:
        require_perm(user, ADMINISTER)
        if self.guard:
            self.guard(telnyx_id, action)

    def create(self, *, user, data: dict, idempotency_key: str = "") -> dict:
        """Create in Telnyx, cache and audit it; the form's key makes a resubmission harmless."""
        require_perm(user, ADMINISTER)
        label = data.get(self.label_field, "")
        response = telnyx_write(
            lambda: self.api.create(data, idempotency_key=idempotency_key or new_idempotency_key()),
            user=user, action="create", resource_type=self.resource_type, resource_id=lambda r: r.data.get("id", ""),
            label=label, summary=f"Created {self.noun} “{label}”", failure_summary=f"Tried to create {self.noun} “{label}”",
            changes=audit.diff(None, data), store=lambda r: self.cache_put(r.data),
        )
        return response.data

    def update(self, *, user, telnyx_id: str, data: dict, **call_kwargs) -> dict:
        """Save new fields in Telnyx; the audit keeps what changed against the cached copy."""
        self._check(user, telnyx_id, "update")
        row = self.model.objects.filter(telnyx_id=telnyx_id).first()
        before = self.before(row, data) if row else None
        label = data.get(self.label_field) or (getattr(row, self.label_field) if row else telnyx_id)
        response = telnyx_write(
            lambda: self.api.update(telnyx_id, data, **call_kwargs),
            user=user, action="update", resource_type=self.resource_type, resource_id=telnyx_id, label=label,
            summary=f"Updated {self.noun} “{label}”", failure_summary=f"Tried to update {self.noun} “{label}”",
            changes=audit.diff(before, data), store=lambda r: self.cache_put(r.data),
        )
        return response.data

    def delete(self, *, user, telnyx_id: str) -> bool:
        """Delete in Telnyx and drop the cached row; False if Telnyx no longer had it."""
        self._check(user, telnyx_id, "delete")
        rows = self.model.objects.filter(telnyx_id=telnyx_id)
        label = rows.values_list(self.label_field, flat=True).first() or telnyx_id
        try:
            telnyx_write(
                lambda: self.api.delete(telnyx_id),
                user=user, action="delete", resource_type=self.resource_type, resource_id=telnyx_id, label=label,
                summary=f"Deleted {self.noun} “{label}”", failure_summary=f"Tried to delete {self.noun} “{label}”",
                store=lambda r: cache_delete(rows),
            )
        except NotFoundError:
            cache_delete(rows)
            return False
        return True
