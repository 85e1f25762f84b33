"""Too many wrong passwords lock the login out (django-axes), with a clear message and an
audit event; the right password afterwards is still refused until the cool-off ends."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def _attempt(client: Client, password: str):
    return client.post("/login/", {"username": "vera_viewer", "password": password})


def test_lockout_after_too_many_wrong_passwords_is_shown_and_audited(viewer, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _attempt(client, "wrong")
        assert response.status_code == 200
        assert "didn't match" in response.content.decode()
    locked = _attempt(client, "wrong")
    assert locked.status_code == 429
    assert "Too many wrong passwords" in locked.content.decode()
    event = AuditEvent.objects.get(action="login_locked_out")
    assert event.resource_id == "vera_viewer" and "127.0.0.1" in event.summary

    right = _attempt(client, "pw-for-tests-only")
    assert right.status_code == 429 and "_auth_user_id" not in client.session


def test_a_right_password_resets_the_count(viewer, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, "wrong")
    assert _attempt(client, "pw-for-tests-only").status_code == 302
    Client().post("/logout/")
    assert _attempt(Client(), "wrong").status_code == 200  # counted from zero again
    assert not AuditEvent.objects.filter(action="login_locked_out").exists()


def test_pages_carry_a_strict_content_security_policy(viewer_client):
    policy = viewer_client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def _try(username: str, password: str = "Summer2026!", **meta):
    return Client().post("/login/", {"username": username, "password": password}, **meta)


def test_spraying_one_password_over_many_usernames_from_one_address_is_refused(viewer, settings):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 6
    for n in range(6):  # each username once: axes' per-username lockout never triggers
        assert _try(f"user{n}").status_code == 200
    sprayed = _try("vera_viewer", "pw-for-tests-only")  # even the right password, from that address
    assert sprayed.status_code == 429
    assert "Too many failed logins from your address" in sprayed.content.decode()
    assert "_auth_user_id" not in Client().session
    assert _try("vera_viewer", "pw-for-tests-only", REMOTE_ADDR="10.0.0.9").status_code == 302  # another address logs in


def test_one_username_guessed_from_many_addresses_is_refused(viewer, settings):
    settings.LOGIN_MAX_FAILURES_PER_USERNAME = 4
    for n in range(4):
        assert _try("vera_viewer", "wrong", REMOTE_ADDR=f"10.0.1.{n}").status_code == 200
    refused = _try("vera_viewer", "wrong", REMOTE_ADDR="10.0.1.99")
    assert refused.status_code == 429 and "for this username" in refused.content.decode()


def test_failures_across_the_portal_slow_every_login(viewer, settings):
    settings.LOGIN_MAX_FAILURES_GLOBAL = 5
    for n in range(5):
        _try(f"user{n}", REMOTE_ADDR=f"10.0.2.{n}")
    refused = _try("vera_viewer", "pw-for-tests-only", REMOTE_ADDR="10.0.2.200")
    assert refused.status_code == 429 and "across the portal" in refused.content.decode()
    assert AuditEvent.objects.filter(action="login_locked_out").exists()


def test_a_forwarded_for_header_is_believed_only_from_a_trusted_proxy(viewer, settings):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    settings.TRUSTED_PROXIES = ["10.9.9.9"]
    # Straight from the client: its own X-Forwarded-For is ignored, so rotating it does not help.
    for n in range(3):
        _try(f"user{n}", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert _try("vera_viewer", "pw-for-tests-only", REMOTE_ADDR="203.0.113.5",
                HTTP_X_FORWARDED_FOR="198.51.100.77").status_code == 429
    # Through the proxy: each client is its own address (the hop the proxy added, not one the client wrote).
    for n in range(3):
        _try(f"user{n}", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=f"6.6.6.6, 192.0.2.{n}")
    assert _try("vera_viewer", "pw-for-tests-only", REMOTE_ADDR="10.9.9.9",
                HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.50").status_code == 302
    assert _try("user0", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="192.0.2.0").status_code == 200
