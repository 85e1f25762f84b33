"""URL converters: an id from a URL must look like a Telnyx id before any view sees it.

Telnyx ids are UUIDs or prefixed UUIDs (`assistant-…`); names (buckets, suites) are freer.
Anything else (a `?`, `#`, `/`, `%`, `..`) gets a 404 from the resolver, and the resource
layer quotes every segment anyway (defence in depth).
"""

import re

from django.urls import register_converter

ID_REGEX = r"[A-Za-z0-9][A-Za-z0-9_.:+=@-]{0,199}"
_ID = re.compile(ID_REGEX)


def is_telnyx_id(value: object) -> bool:
    """The one check for an id, from a URL or from Telnyx's answers: the `tid` converter's.
    An id that fails it never reaches a URL, a template tag or a path."""
    text = value if isinstance(value, str) else ""
    return bool(_ID.fullmatch(text)) and ".." not in text


def is_telnyx_name(value: object, *, slashes: bool = False) -> bool:
    """A name used as an id: what the `str` converter (a bucket), or with `slashes` the `path`
    converter (a model such as `meta-llama/Llama-3`), accepts and `api_path` can quote; no
    control character, no empty, `.` or `..` segment."""
    text = value if isinstance(value, str) else ""
    if not text or len(text) > 255 or any(ord(c) < 32 or ord(c) == 127 for c in text):
        return False
    if "/" in text and not slashes:
        return False
    return all(part not in ("", ".", "..") for part in text.split("/"))


class TelnyxIdConverter:
    regex = ID_REGEX

    def to_python(self, value: str) -> str:
        if not is_telnyx_id(value):
            raise ValueError("not a Telnyx id")
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(TelnyxIdConverter, "tid")
