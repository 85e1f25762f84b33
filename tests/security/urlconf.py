"""The portal's URL patterns that take an id or a name, and a real value for each parameter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import PathConverter, StringConverter

from portal.converters import TelnyxIdConverter

ID_CONVERTERS = (TelnyxIdConverter, StringConverter, PathConverter)
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class IdPattern:
    route: str  # as Django reports it in ResolverMatch.route, e.g. "assistants/<tid:assistant_id>/"
    params: tuple[str, ...]  # the parameters that carry an id or a name

    def url(self, values: dict[str, object], raw: dict[str, str] | None = None) -> str:
        """The URL with `values` quoted in, except `raw` ones, put in exactly as given."""
        raw = raw or {}

        def fill(match: re.Match) -> str:
            name = match["name"]
            return raw[name] if name in raw else quote(str(values[name]), safe="/:@+=")

        return "/" + PARAM.sub(fill, self.route)


def _walk(resolver: URLResolver, prefix: str = "", converters: dict | None = None):
    for entry in resolver.url_patterns:
        merged = {**(converters or {}), **entry.pattern.converters}
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern), merged)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), merged


def id_patterns() -> list[IdPattern]:
    """Every portal (not sandbox) URL pattern with at least one id or name parameter."""
    patterns = []
    for route, converters in _walk(get_resolver()):
        params = tuple(name for name, conv in converters.items() if type(conv) in ID_CONVERTERS)
        if route.startswith("login/"):  # an invite token, never a Telnyx id
            continue
        if params and not route.startswith("sandbox/"):
            patterns.append(IdPattern(route, params))
    return patterns


def add_history(client, found: set[str]) -> None:
    """Make what the demo seed lacks and only a write creates (a suite run, a canary split
    history entry) and add the URLs of their pages to `found`."""
    from tests.security.crawl import crawl
    from tests.security.html_forms import submit_untouched

    suite_run = next(p for p in sorted(found) if re.fullmatch(r"/testing/suites/.+/run/", p))
    response = submit_untouched(client, suite_run[: -len("run/")], suite_run)
    assert response.status_code == 302, response.status_code
    found.add(response["Location"])
    crawl(client, start=response["Location"], limit=1, found=found)
    for canary_save in sorted(p for p in found if p.endswith("/canary/save/")):
        canary = canary_save[: -len("save/")]
        if "Canary deploy active" in client.get(canary).content.decode():
            break
    response = submit_untouched(client, canary, canary_save)
    assert response.status_code in (200, 302), response.status_code
    crawl(client, start=canary, limit=1, found=found)


def real_values(paths: set[str], patterns: list[IdPattern], fallback: dict[str, object] | None = None
                ) -> dict[str, dict[str, object]]:
    """Route → real keyword arguments, taken from URLs the portal itself rendered.

    A pattern no page links to borrows its values from the page sharing most parameters, and
    what no page has from `fallback` (e.g. the number of a release plan the seed lacks).
    """
    seen: dict[str, dict[str, object]] = {}
    for path in sorted(paths):
        try:
            match = resolve(path)
        except Resolver404:
            continue
        seen.setdefault(match.route, dict(match.kwargs))
    values = {}
    for pattern in patterns:
        names = set(param_names(pattern.route))
        if pattern.route in seen:
            values[pattern.route] = seen[pattern.route]
            continue
        donors = sorted(seen.values(), key=lambda kwargs: -len(names & kwargs.keys()))
        borrowed: dict[str, object] = {}
        for kwargs in donors:
            for name in names - borrowed.keys():
                if name in kwargs:
                    borrowed[name] = kwargs[name]
        for name in names - borrowed.keys():
            if fallback and name in fallback:
                borrowed[name] = fallback[name]
        if borrowed.keys() == names:
            values[pattern.route] = borrowed
    return values


def param_names(route: str) -> list[str]:
    return [match["name"] for match in PARAM.finditer(route)]
