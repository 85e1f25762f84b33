"""A kept page's masked CSRF token, made as `django.middleware.csrf.get_token` makes it.

Django draws each of the mask's 32 characters with its own call to the OS's randomness (a
tenth of a kept list page's time, 40 µs); here the mask comes from one 48-byte read: bytes
below 248 (4 × 62) become base-62 digits by their value modulo 62, so every digit is exactly as
likely (the other bytes are dropped, and 32 of 48 survive but once in 10**13 reads: then it
reads again). The mask and the cipher are made by byte translation tables, not a loop per
character. The token is the same shape as Django's (mask + secret ciphered by it), so
CsrfViewMiddleware reads it as its own, and every response still carries a token no other
response had (BREACH).

Unlike `get_token`, it does not renew the CSRF cookie's expiry on the response (a `Set-Cookie`
formatted on every kept view, 15-40 µs): the render that kept the page called `get_token` and
renewed it, and a kept page is rendered again at least every minute (its key holds the minute),
so the cookie's year never runs down while the portal is in use. A request with no secret yet
goes through `get_token`, which makes one and sets the cookie.
"""

from __future__ import annotations

import operator
import os

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

_BASE = len(CSRF_ALLOWED_CHARS)  # 62
_KEPT_BYTES = 256 - 256 % _BASE  # 248: the bytes that map onto the digits evenly
#: A random byte → its digit (value modulo 62); bytes from 248 on are deleted (`_UNEVEN`).
_DIGITS = bytes(value % _BASE for value in range(256))
_UNEVEN = bytes(range(_KEPT_BYTES, 256))
#: A digit (0-61) → its character; a sum of two digits (0-122) → the character of it modulo 62.
_DIGIT_CHARS = CSRF_ALLOWED_CHARS.encode().ljust(256, b"\0")
_SUM_CHARS = (CSRF_ALLOWED_CHARS * 2).encode().ljust(256, b"\0")
#: A secret's character → its digit; any other byte is deleted first (`_NOT_CHARS`: its entry here is never
#: read), so a bad secret comes out short.
_CHAR_DIGITS = bytes(CSRF_ALLOWED_CHARS.find(chr(value)) % _BASE for value in range(256))
_NOT_CHARS = bytes(value for value in range(256) if chr(value) not in CSRF_ALLOWED_CHARS)


def masked_token(request) -> str:
    """`get_token(request)` for a kept page's forms: the same token, its mask drawn in one read,
    the cookie left as it is (see above). A request without a well-formed secret yet (its first
    form) goes through Django's own `get_token`, which makes the secret and sets the cookie."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret or len(secret) != CSRF_SECRET_LENGTH or not secret.isascii():
        return get_token(request)
    digits = secret.encode().translate(_CHAR_DIGITS, _NOT_CHARS)
    if len(digits) != CSRF_SECRET_LENGTH:
        return get_token(request)
    mask = b""
    while len(mask) < CSRF_SECRET_LENGTH:
        mask = os.urandom(48).translate(_DIGITS, _UNEVEN)
    mask = mask[:CSRF_SECRET_LENGTH]
    cipher = bytes(map(operator.add, digits, mask))
    return (mask.translate(_DIGIT_CHARS) + cipher.translate(_SUM_CHARS)).decode("ascii")
