"""URL converters: an id from a URL must look like a Telnyx id before any view sees it.

Telnyx ids are UUIDs or prefixed UUIDs (`assistant-…`); names (buckets, suites) are freer.
Anything else (a `?`, `#`, `/`, `%`, `..`) gets a 404 from the resolver, and the resource
layer quotes every segment anyway (defence in depth).
"""

import re

from django.urls import register_converter


class TelnyxIdConverter:
    regex = r"[A-Za-z0-9][A-Za-z0-9_.:+=@-]{0,199}"

    def to_python(self, value: str) -> str:
        if ".." in value:
            raise ValueError("not a Telnyx id")
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(TelnyxIdConverter, "tid")

_TELNYX_ID = re.compile(TelnyxIdConverter.regex)


def is_telnyx_id(value: str) -> bool:
    """`value` has the shape the `tid` converter lets through (and is no `..`)."""
    return bool(_TELNYX_ID.fullmatch(value or "")) and ".." not in value
