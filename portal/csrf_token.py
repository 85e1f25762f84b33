"""A response's masked CSRF token, made as `django.middleware.csrf.get_token` makes it.

Django draws each of the mask's 32 characters with its own call to the OS's randomness (a
tenth of a kept list page's time, 40 µs); here the mask comes from one 40-byte read, cut into
base-62 digits (320 random bits for 190.5 bits of mask: the digits' bias is below 2**-129).
The token is the same shape as Django's (mask + secret ciphered by it), so CsrfViewMiddleware
reads it as its own, and every response still carries a token no other response had (BREACH).
"""

from __future__ import annotations

import os

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

_CHARS = CSRF_ALLOWED_CHARS
_INDEX = {char: index for index, char in enumerate(_CHARS)}
_BASE = len(_CHARS)
#: (a secret's character, a mask digit) → the cipher's character: Django's sum modulo 62, looked up.
_CIPHER = {(char, digit): _CHARS[(index + digit) % _BASE] for char, index in _INDEX.items() for digit in range(_BASE)}


def masked_token(request) -> str:
    """`get_token(request)`, its mask drawn in one read. A request without a well-formed secret
    yet (its first form) goes through Django's own `get_token`, which makes the secret."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret or len(secret) != CSRF_SECRET_LENGTH or not all(char in _INDEX for char in secret):
        return get_token(request)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token: the cookie's expiry is renewed
    number = int.from_bytes(os.urandom(40), "big")
    mask = []
    for _ in range(CSRF_SECRET_LENGTH):
        number, digit = divmod(number, _BASE)
        mask.append(digit)
    return "".join(map(_CHARS.__getitem__, mask)) + "".join(map(_CIPHER.__getitem__, zip(secret, mask)))
