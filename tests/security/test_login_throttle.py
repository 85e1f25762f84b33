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
