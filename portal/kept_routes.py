"""URL resolution kept per path: Django walks the patterns in order on every request.

Resolving `/conversations/` walked a dozen includes and their patterns first (60 µs on a
2-core machine, a twelfth of a kept list page's time over a bare view); a path resolves to the
same view and arguments every time, so the match is kept per path (bounded, least recently used
first out). A path that resolves to nothing raises and is never kept: a 404 costs what it did.

The kept match is the inner one: Django's root resolver wraps it in a new `ResolverMatch` (new
kwargs) for each request, so no request gets another's object.
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import URLResolver
from django.urls.resolvers import RoutePattern

#: Distinct paths kept per process: every list and page, and the recent object pages.
KEPT_PATHS = 4096


class KeptRoutes(URLResolver):
    """An include with no prefix whose matches are kept per path (`routes(patterns)`)."""

    def __init__(self, patterns: list):
        super().__init__(RoutePattern("", is_endpoint=False), patterns)
        self._resolve_kept = lru_cache(maxsize=KEPT_PATHS)(self._resolve_once)

    def resolve(self, path):
        return self._resolve_kept(str(path))

    def _resolve_once(self, path: str):
        match = super().resolve(path)
        # The patterns tried before the match are only read by the debug 404 page (a failed
        # resolve, never kept); copied out on every request they cost more than the kept lookup.
        match.tried = []
        return match


def routes(patterns: list) -> list:
    """A URL conf's `urlpatterns` made of `patterns`, resolved once per path."""
    return [KeptRoutes(patterns)]
