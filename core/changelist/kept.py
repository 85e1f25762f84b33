"""What a changelist keeps in the shared cache between views: counts and filter choices
(`kept`) and rendered fragments (`Fragments`), each keyed by the generations of the tables
they read (`core.cache`), so a write shows at once on every app server."""

from __future__ import annotations

import hashlib
import re
import threading
import time

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.utils import timezone
from django.utils.html import escape

from core import waiting
from core.cache import generations
from core.htmx import is_htmx
from portal.csrf_token import masked_token
from portal.roles import ADMINISTER, OPERATE, role_name
from portal.telnyx import new_idempotency_key

#: How long a kept count or list of filter choices may lag a write nobody stamped (a delete).
KEPT_SECONDS = 300
#: The session key holding {list: [hidden column keys]} (`core.changelist.columns`; written by
#: console.preferences): a kept whole page has them taken out already, so it is kept per their value.
HIDDEN_COLUMNS = "hidden_columns"
#: How long a rendered fragment is kept; the key also holds the minute, for relative times.
FRAGMENT_SECONDS = 60


def response_token(request) -> str:
    """This response's CSRF token: one masked token for every form the response's code adds (the
    kept page's placeholders, the column chooser), where each `get_token` masks another."""
    token = getattr(request, "_kept_csrf_token", None)
    if token is None:
        token = request._kept_csrf_token = masked_token(request)
    return token


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
    the viewer's role and time zone, the minute), so a repeat view runs no list query and renders no rows.

    A write bumps a generation (`core.cache`), so nobody sees a stale row after a save; the
    role is in the key, so a Viewer never gets the buttons rendered for an Admin; the time zone
    is, so nobody reads dates in another reader's zone; the minute is, so "3 minutes ago" stays
    true. The CSRF token is kept as a placeholder and each response gets its own.

    The whole page is kept too (`page`/`keep_page`), chrome and all, under the fragments' key and
    what the chrome shows (permissions, sidebar, the app's version): a repeat view then renders no
    template at all. The viewer's name is a placeholder there (`{% viewer_name %}`); a page with
    messages to show, or waiting on a worker (its banner), is never kept nor served kept."""

    CSRF_PLACEHOLDER = "\x00csrf\x00"
    #: Where a kept fragment needs a fresh Idempotency-Key per response (`{% new_idempotency_key %}`).
    KEY_PLACEHOLDER = "\x00idempotency-key\x00"
    #: The viewer's user name and its initial in a kept page's chrome (`{% viewer_name %}`).
    NAME_PLACEHOLDER = "\x00viewer-name\x00"
    INITIAL_PLACEHOLDER = "\x00viewer-initial\x00"

    def __init__(self, request, *, resource: str, tables, state, stale: bool, template: str, vary=None):
        query = sorted(request.GET.lists())
        self._parts = (resource, template, _generations_key(tables, state), state.synced_at, state.last_error,
                       bool(state.run_id), stale, request.path, query, role_name(request.user),
                       timezone.get_current_timezone_name(), is_htmx(request), int(time.time() // 60),
                       sorted((vary or {}).items()))
        self._prefix = ""  # hashed when a fragment is first asked for: a kept whole page needs no prefix
        self.request = request
        self._found: dict[str, str | None] = {}
        self._csrf_token = ""  # the one this response's render put in the page (`render`)

    @property
    def prefix(self) -> str:
        if not self._prefix:
            self._prefix = "fragment:" + hashlib.sha256(repr(self._parts).encode()).hexdigest()
        return self._prefix

    def get(self, name: str) -> str | None:
        if name not in self._found:
            self._found[name] = cache.get(f"{self.prefix}:{name}")
        return self._found[name]

    def render(self, name: str, csrf_token: str, render) -> str:
        """The kept fragment `name`, or `render()` kept for next time, with placeholders for the
        per-response values (`fill` puts them in once the whole page is rendered)."""
        self._csrf_token = csrf_token or self._csrf_token
        html = self.get(name)
        if html is None:
            html = render()
            if csrf_token:
                html = html.replace(csrf_token, self.CSRF_PLACEHOLDER)
            self._found[name] = html
            cache.set(f"{self.prefix}:{name}", html, FRAGMENT_SECONDS)
        return html

    def _page_key(self) -> str | None:
        """Where the whole page is kept for this viewer's chrome, or None when it must be rendered:
        messages wait to be shown, or the page waits on a worker (the banner reads its state)."""
        request = self.request
        if waiting.marked() or len(get_messages(request)):
            return None
        user = request.user
        session = request.session
        sidebar = sorted((name, value) for name, value in session.items() if name.startswith("changelist:"))
        chrome = (user.has_perm(OPERATE), user.has_perm(ADMINISTER), settings.PORTAL_VERSION, settings.SANDBOX_MODE, sidebar,
                  sorted((session.get(HIDDEN_COLUMNS) or {}).items()))
        return "page:" + hashlib.sha256(repr((self._parts, chrome)).encode()).hexdigest()

    def page(self) -> list | None:
        """The whole page as kept for a viewer like this one, or None: its UTF-8 parts split at
        the placeholders (`split`), which `fill` joins. This process's own recent pages first."""
        key = self._page_key()
        if not key:
            return None
        parts = _RECENT_PAGES.get(key)
        if parts is None:
            parts = cache.get(key)
            if parts is not None:
                _remember_page(key, parts)
        return parts

    def keep_page(self, html: str) -> None:
        """Keep the whole rendered page, if it may be (`_page_key`) and its content was kept; as
        UTF-8 parts, as it is sent (a kept `str` of 40 KB cost 13 µs to unpickle, 20 to encode,
        and one scan for placeholders more per view)."""
        if "page" not in self._found:  # the template's content is not a kept fragment: render it each time
            return
        key = self._page_key()
        if key:
            token = self._csrf_token
            parts = split((html.replace(token, self.CSRF_PLACEHOLDER) if token else html).encode())
            cache.set(key, parts, FRAGMENT_SECONDS)
            _remember_page(key, parts)

    def fill(self, parts: list) -> bytes:
        """The page (its `split` parts) with this response's CSRF token, the viewer's name and a new
        Idempotency-Key where the placeholders are."""
        request, name, filled = self.request, None, list(parts)
        for index in range(1, len(filled), 2):
            placeholder = filled[index]
            if placeholder == _CSRF:
                filled[index] = response_token(request).encode()
            elif placeholder == _KEY:
                filled[index] = new_idempotency_key().encode()
            else:
                name = name if name is not None else request.user.get_username()
                filled[index] = escape(name if placeholder == _NAME else name[:1].upper()).encode()
        return b"".join(filled)


#: The whole pages this process kept or read last, by key (`Fragments.page`): a repeat view then
#: skips the shared cache (unpickling 65 KB in local memory; a round trip to Redis with several
#: servers). Safe to serve without asking it: a key holds the generation of every table the page
#: reads, the viewer's role, chrome and the minute, so nothing a write or an hour changes is
#: served from here (a key's page is never replaced, it goes out of use). At most RECENT_PAGES
#: (~65 KB each), oldest out first.
RECENT_PAGES = 128
_RECENT_PAGES: dict[str, list] = {}
_RECENT_LOCK = threading.Lock()


def _remember_page(key: str, parts: list) -> None:
    with _RECENT_LOCK:
        _RECENT_PAGES[key] = parts
        while len(_RECENT_PAGES) > RECENT_PAGES:
            del _RECENT_PAGES[next(iter(_RECENT_PAGES))]


def forget_recent_pages() -> None:
    """Empty this process's recent pages (with the shared cache: a test's `cache.clear()`)."""
    with _RECENT_LOCK:
        _RECENT_PAGES.clear()


def split(content: bytes) -> list:
    """`content` cut at its placeholders: [text, placeholder, text, …, text]."""
    return _PLACEHOLDERS.split(content)


#: The placeholders above, in UTF-8 (`split`, `fill`).
_CSRF, _KEY, _NAME, _INITIAL = (p.encode() for p in (
    Fragments.CSRF_PLACEHOLDER, Fragments.KEY_PLACEHOLDER, Fragments.NAME_PLACEHOLDER, Fragments.INITIAL_PLACEHOLDER))
_PLACEHOLDERS = re.compile(b"(" + b"|".join(re.escape(p) for p in (_CSRF, _KEY, _NAME, _INITIAL)) + b")")
