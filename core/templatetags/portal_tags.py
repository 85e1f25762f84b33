from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import lru_cache
from urllib.parse import quote

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.dateparse import parse_datetime
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe

from core.changelist import Fragments, remembered_query
from portal.telnyx import new_idempotency_key as new_key

register = template.Library()
# Stand-ins for a row's id, one a Telnyx id, one a number (`<int:pk>` URLs).
_ROW_IDS = ("ROWID0", "9876543210")


@lru_cache(maxsize=512)
def _reversed(url_name: str) -> str:
    # A URL without arguments is the same on every request of a deployment: reverse it once.
    return reverse(url_name)


@lru_cache(maxsize=256)
def _row_url_parts(url_name: str) -> tuple[str, str]:
    for row_id in _ROW_IDS:
        try:
            before, _, after = reverse(url_name, args=[row_id]).partition(row_id)
        except NoReverseMatch:
            continue
        return before, after
    raise NoReverseMatch(f"{url_name} takes no row id")


@register.simple_tag
def nav_url(url_name: str) -> str:
    """`{% url %}` for a URL without arguments, reversed once per process."""
    return _reversed(url_name)


@register.filter
def row_url(object_id, url_name: str) -> str:
    """`{% url url_name object_id %}` for a table row, built from one reversal per process: a
    50-row page otherwise reverses a URL per row and column."""
    before, after = _row_url_parts(url_name)
    return before + quote(str(object_id), safe=RFC3986_SUBDELIMS + "/~:@") + after


@register.simple_tag(takes_context=True)
def changelist_url(context, url_name: str, remember_as: str = "") -> str:
    """The changelist's URL with the search, filters and page the user last had there."""
    request = context["request"]
    query = remembered_query(request, remember_as or url_name.split(":")[0])
    url = _reversed(url_name)
    return f"{url}?{query}" if query else url


_SIDEBARS: dict[tuple, str] = {}
_SIDEBARS_KEPT = 512


@register.simple_tag(takes_context=True)
def sidebar(context) -> str:
    """`includes/sidebar.html`, rendered once per process for each thing it depends on: the
    current view (the active link), the reader's operate/administer permissions and the lists'
    remembered queries (its links restore them). About 22 links and 40 comparisons were a tenth
    of a kept changelist's view, paid again on every page."""
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    session = getattr(request, "session", None) or {}
    key = (match.view_name if match else "", bool(context.get("can_operate")), bool(context.get("can_administer")),
           tuple(sorted((name, value) for name, value in session.items() if name.startswith("changelist:"))))
    html = _SIDEBARS.get(key)
    if html is None:
        html = context.template.engine.get_template("includes/sidebar.html").render(context)
        if len(_SIDEBARS) >= _SIDEBARS_KEPT:
            _SIDEBARS.clear()
        _SIDEBARS[key] = html
    return mark_safe(html)


@register.filter
def pretty_json(value) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


@register.filter
def as_datetime(value):
    """An API timestamp (ISO 8601 string or Unix seconds) as an aware datetime, for |date."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    if isinstance(value, str) and value:
        try:
            return parse_datetime(value)
        except ValueError:
            return None
    return None


@register.filter
def get_item(mapping, key):
    """`{{ names|get_item:c.assistant_id }}`: a dict lookup with a variable key."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def yesno_value(value) -> str:
    """An insight field's stored value as people read it: yes/no, 0.5, text; "—" when missing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@register.filter
def spaced(value) -> str:
    """'partial_success' → 'partial success', for API enum values shown to people."""
    return str(value or "").replace("_", " ")


AUDIT_VALUE_LIMIT = 200


@register.filter
def audit_value(value, full: bool = False) -> str:
    """A before/after value of an audit change as text: "—" for none, JSON for structures,
    cut to AUDIT_VALUE_LIMIT characters unless `full` (lists stay small; the entry's own page
    shows everything)."""
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if full or len(text) <= AUDIT_VALUE_LIMIT:
        return text
    return f"{text[:AUDIT_VALUE_LIMIT]}… ({len(text):,} characters)"


class KeptFragmentNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context) -> str:
        fragments = context.get("fragments")
        if fragments is None:
            return self.nodelist.render(context)
        token = context.get("csrf_token")
        token = str(token) if token and str(token) != "NOTPROVIDED" else ""
        return mark_safe(fragments.render(self.name, token, lambda: self.nodelist.render(context)))


@register.simple_tag(takes_context=True)
def new_idempotency_key(context) -> str:
    """A fresh Idempotency-Key for a form inside a kept fragment: each response gets its own."""
    return Fragments.KEY_PLACEHOLDER if context.get("fragments") is not None else new_key()


@register.simple_tag(takes_context=True)
def viewer_name(context) -> str:
    """The viewer's user name for the page's chrome; a placeholder on a kept page (`Fragments.fill`)."""
    if context.get("fragments") is not None:
        return mark_safe(Fragments.NAME_PLACEHOLDER)
    user = context.get("user")
    return user.get_username() if user is not None else ""


@register.simple_tag(takes_context=True)
def viewer_initial(context) -> str:
    """The first letter of the viewer's user name, upper case (the avatar), as `viewer_name`."""
    if context.get("fragments") is not None:
        return mark_safe(Fragments.INITIAL_PLACEHOLDER)
    user = context.get("user")
    return user.get_username()[:1].upper() if user is not None else ""


@register.tag
def kept_fragment(parser, token):
    """`{% kept_fragment "table" %}…{% endkept_fragment %}`: the part of a changelist page that a
    repeat view serves as kept (`core.changelist.Fragments`), rendering it only when something changed."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("kept_fragment takes one name")
    nodelist = parser.parse(("endkept_fragment",))
    parser.delete_first_token()
    return KeptFragmentNode(bits[1].strip("\"'"), nodelist)


@register.filter
def seconds_text(seconds) -> str:
    """A duration in seconds as "1h 02m", "3m 05s" or "42s"; "—" when unknown."""
    if seconds is None or seconds == "":
        return "—"
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m {seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


@register.inclusion_tag("includes/telnyx_object.html")
def telnyx_object(name, object_id, url: str = "", with_id: bool = True) -> dict:
    """`{% telnyx_object name id url %}`: the object's name, linked to its page when `url` is
    given, with its id on a second line (hover shows it whole) unless the name is the id."""
    name, object_id = str(name or ""), str(object_id or "")
    return {"name": name, "object_id": object_id, "url": url,
            "show_id": bool(with_id and name and object_id and name != object_id)}
