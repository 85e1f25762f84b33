"""What a changelist keeps in the shared cache between views: counts and filter choices
(`kept`) and rendered fragments (`Fragments`), each keyed by the generations of the tables
they read (`core.cache`), so a write shows at once on every app server."""

from __future__ import annotations

import hashlib
import re
import time

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.utils import timezone

from core.cache import generations
from portal.roles import role_name
from portal.telnyx import new_idempotency_key

#: How long a kept count or list of filter choices may lag a write nobody stamped (a delete).
KEPT_SECONDS = 300
#: How long a rendered fragment is kept; the key also holds the minute, for relative times.
FRAGMENT_SECONDS = 60


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


#: While a listing's own stepwise sync runs, its list is rendered again at most this often.
SYNC_RENDER_SECONDS = 10


def _generations_key(tables, state) -> tuple:
    """The tables' generations, or, while this listing's stepwise sync holds its lease, their
    WRITES generations and a 10-second clock: each of the sync's batches (one a second) moved the
    generation and made every view render the whole list again (the list's p95 during a
    100,000-conversation sync was 6x its idle p95). The page shows the sync's progress card
    meanwhile and reloads its table when the sync ends; anyone's own save still shows at once."""
    syncing = bool(state.run_id) and state.lease_until is not None and state.lease_until > timezone.now()
    if not syncing:
        return generations(tables)
    return generations(tables, writes_only=True), int(time.time() // SYNC_RENDER_SECONDS)


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
        query = sorted(request.GET.lists())
        parts = (resource, template, _generations_key(tables, state), state.synced_at, state.last_error, bool(state.run_id),
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
        if self.CSRF_PLACEHOLDER in html:
            html = html.replace(self.CSRF_PLACEHOLDER, get_token(self.request))
        if self.KEY_PLACEHOLDER in html:
            html = re.sub(re.escape(self.KEY_PLACEHOLDER), lambda _: new_idempotency_key(), html)
        return html
