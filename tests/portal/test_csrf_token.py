"""`portal.csrf_token.masked_token`: a kept page's forms get a token Django's CSRF check takes,
a new one on every response, drawn in one read of the OS's randomness; the cookie is left alone
when the request had one (the render that kept the page renewed it), and set when it had none."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, _unmask_cipher_token, get_token
from django.test import RequestFactory

from portal.csrf_token import masked_token


def _request_with_secret():
    request = RequestFactory().get("/")
    get_token(request)  # as a first form does: the secret is made
    return request


def test_the_token_unmasks_to_the_request_secret_and_differs_each_time():
    request = _request_with_secret()
    secret = request.META["CSRF_COOKIE"]
    tokens = {masked_token(request) for _ in range(200)}
    assert len(tokens) == 200, "every response gets its own token (BREACH)"
    assert all(len(token) == 64 and token.isalnum() for token in tokens)
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}


def _through_csrf_middleware(request, view):
    middleware = CsrfViewMiddleware(view)
    middleware.process_request(request)
    return middleware.process_response(request, view(request))


def test_a_request_with_its_cookie_keeps_it_and_one_without_gets_one():
    with_cookie = RequestFactory().get("/")
    with_cookie.COOKIES["csrftoken"] = _request_with_secret().META["CSRF_COOKIE"]
    response = _through_csrf_middleware(with_cookie, lambda request: HttpResponse(masked_token(request)))
    assert "csrftoken" not in response.cookies, "no Set-Cookie per kept view: the render that kept the page renewed it"
    assert _unmask_cipher_token(response.content.decode()) == with_cookie.COOKIES["csrftoken"]

    first_visit = RequestFactory().get("/")
    response = _through_csrf_middleware(first_visit, lambda request: HttpResponse(masked_token(request)))
    assert _unmask_cipher_token(response.content.decode()) == response.cookies["csrftoken"].value


def test_the_mask_uses_every_character_evenly():
    request = _request_with_secret()
    counts: dict[str, int] = {}
    for _ in range(2000):
        for char in masked_token(request)[:32]:
            counts[char] = counts.get(char, 0) + 1
    assert len(counts) == 62
    expected = 2000 * 32 / 62  # ~1032 each; a biased digit (e.g. a modulo of few bytes) shows far outside
    assert all(abs(count - expected) < 0.15 * expected for count in counts.values()), counts


def test_a_request_without_a_secret_gets_one_from_django():
    request = RequestFactory().get("/")
    token = masked_token(request)
    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]


@pytest.mark.parametrize("forged", [False, True])
def test_csrf_middleware_takes_the_token_and_refuses_a_forged_one(forged):
    page = _request_with_secret()
    token = masked_token(page)
    if forged:
        token = token[:-1] + ("a" if token[-1] != "a" else "b")
    post = RequestFactory().post("/", {"csrfmiddlewaretoken": token})
    post.COOKIES["csrftoken"] = page.META["CSRF_COOKIE"]
    middleware = CsrfViewMiddleware(lambda request: HttpResponse("ok"))
    middleware.process_request(post)
    refused = middleware.process_view(post, lambda request: HttpResponse("ok"), (), {})
    assert (refused is not None and refused.status_code == 403) is forged
