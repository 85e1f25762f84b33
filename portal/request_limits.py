"""How large a request body may be, decided before any of it is read.

Every request may carry REQUEST_MAX_BYTES (a few MB: every form, JSON field and webhook fits).
A view marked `@accepts_upload` may take UPLOAD_MAX_BYTES, but only once its `authorized`
check passes (by default: a logged-in user), so an anonymous client can never make the portal
read or spool a large body. The middleware sits right after authentication and before CSRF,
whose check is the first thing that reads a form; the decision uses the Content-Length header
and the session only. The web server applies the same two sizes by path before it reads a body
(portal/server.py), so a refused body is never buffered either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.exceptions import Resolver404


def _logged_in(request: HttpRequest) -> bool:
    return request.user.is_authenticated


def accepts_upload(view=None, *, authorized: Callable[[HttpRequest], bool] = _logged_in):
    """Let `view` take a body up to UPLOAD_MAX_BYTES once `authorized(request)` is true."""
    def mark(view):
        view.upload_authorized = authorized
        return view

    return mark(view) if view is not None else mark


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


def too_large(size: int, limit: int) -> HttpResponse:
    return HttpResponse(f"Request too large: {_megabytes(size)} sent, the limit here is {_megabytes(limit)}.\n",
                        status=413, content_type="text/plain; charset=utf-8")


def upload_paths() -> set[str]:
    """Every path whose view is marked `@accepts_upload` (such routes take no parameters)."""

    def walk(patterns, prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "upload_authorized"):
                if "<" in route or "^" in route:
                    raise ValueError(f"an upload route must be a plain path: {route}")
                yield "/" + route

    return set(walk(get_resolver().url_patterns, ""))


def _content_length(request: HttpRequest) -> int | None:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return None


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        size = _content_length(request)
        if size is None:
            return HttpResponse("Bad Content-Length header.\n", status=400, content_type="text/plain; charset=utf-8")
        if size > settings.REQUEST_MAX_BYTES:
            limit = settings.UPLOAD_MAX_BYTES if self._upload_allowed(request) else settings.REQUEST_MAX_BYTES
            if size > limit:
                return too_large(size, limit)
        return self.get_response(request)

    @staticmethod
    def _upload_allowed(request: HttpRequest) -> bool:
        try:
            match = get_resolver().resolve(request.path_info)
        except Resolver404:
            return False
        authorized = getattr(match.func, "upload_authorized", None)
        return authorized is not None and authorized(request)
