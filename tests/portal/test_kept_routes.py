"""`portal.kept_routes`: each path's URL match is kept per process, and nothing about it shows:
the same view and arguments on every request, never one request's match object in another, a
path that resolves to nothing still a 404, an odd id still refused, and the oldest path out first."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.urls import Resolver404, get_resolver, path
from django.urls.resolvers import RegexPattern, URLResolver

from portal.kept_routes import KeptRoutes


def _view(request, **kwargs):
    return HttpResponse("ok")


def _root(patterns: list) -> URLResolver:
    # As Django's root resolver wraps the URL conf's entries (`get_resolver`).
    return URLResolver(RegexPattern(r"^/"), [KeptRoutes(patterns)])


def test_each_request_gets_its_own_match_with_the_same_view_and_arguments():
    root = get_resolver()
    first, second = root.resolve("/conversations/conv-1/"), root.resolve("/conversations/conv-1/")
    assert first.func is second.func and first.url_name == second.url_name == "conversation-detail"
    assert first.kwargs == second.kwargs == {"conversation_id": "conv-1"}
    assert first is not second and first.kwargs is not second.kwargs
    first.kwargs["conversation_id"] = "changed by a view"
    assert root.resolve("/conversations/conv-1/").kwargs == {"conversation_id": "conv-1"}
    assert root.resolve("/conversations/").view_name == "conversations:conversation-list"


def test_a_path_that_resolves_to_nothing_is_a_404_every_time_and_says_what_was_tried():
    root = get_resolver()
    for _ in range(2):
        with pytest.raises(Resolver404) as refused:
            root.resolve("/no-such-page/")
        assert refused.value.args[0]["tried"], "the debug 404 page still lists the patterns tried"
    for _ in range(2):  # an id the converter refuses never reaches a view
        with pytest.raises(Resolver404):
            root.resolve("/conversations/bad%20id/")


def test_the_oldest_path_goes_first_and_comes_back_resolved_the_same(monkeypatch):
    monkeypatch.setattr("portal.kept_routes.KEPT_PATHS", 2)
    seen = []

    def counted(request, page):
        return HttpResponse(page)

    root = _root([path("p/<int:page>/", counted)])
    kept = root.url_patterns[0]
    original = URLResolver.resolve

    def counting(self, path_):
        seen.append(path_)
        return original(self, path_)

    monkeypatch.setattr(URLResolver, "resolve", counting)
    for page in (1, 2, 1, 3, 1, 2):
        assert root.resolve(f"/p/{page}/").kwargs == {"page": page}
    # Walked: 1, 2 (new), 1 kept, 3 (new, 2 out), 1 kept, 2 again (walked anew)
    assert [p for p in seen if p.startswith("p/")] == ["p/1/", "p/2/", "p/3/", "p/2/"]
    assert isinstance(kept, KeptRoutes)
