"""JSON typed or posted by someone else, parsed with a size and a depth limit.

`json.loads` on a few thousand nested brackets raises RecursionError (a 500), and a value
nested a few hundred deep that did parse fails later, when it is encoded again for Telnyx.
`parse` refuses both with a ValueError whose message a form can show as it is.
"""

from __future__ import annotations

import json

MAX_DEPTH = 32
MAX_BYTES = 64 * 1024


class JsonInputError(ValueError):
    pass


def depth(value) -> int:
    """How many levels of objects and lists `value` has (0 for a plain value); no recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in item)
    return deepest


def parse(text: str | bytes, *, max_depth: int = MAX_DEPTH, max_bytes: int = MAX_BYTES):
    """The value in `text`; JsonInputError if it is not JSON, too long or too deeply nested."""
    if len(text) > max_bytes:
        raise JsonInputError(f"Too long: at most {max_bytes // 1024} KB of JSON.")
    too_deep = JsonInputError(f"Nested too deeply: at most {max_depth} levels of objects and lists.")
    try:
        value = json.loads(text)
    except RecursionError:
        raise too_deep from None
    except ValueError as exc:
        raise JsonInputError(f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None
    if depth(value) > max_depth:
        raise too_deep
    return value
