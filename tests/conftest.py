"""Shared fixtures: one user per role, their logged-in clients, the live sandbox, and
guards proving the API key never reaches a response body or a log line."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client


def _user_with_role(username: str, role: str | None) -> User:
    from portal.roles import ensure_roles

    ensure_roles()
    user = User.objects.create_user(username=username, password="pw-for-tests-only")
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def viewer(db) -> User:
    return _user_with_role("vera_viewer", "Viewer")


@pytest.fixture
def operator(db) -> User:
    return _user_with_role("otto_operator", "Operator")


@pytest.fixture
def team_admin(db) -> User:
    return _user_with_role("ada_admin", "Admin")


@pytest.fixture
def no_role_user(db) -> User:
    return _user_with_role("nora_norole", None)


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer_client(viewer) -> Client:
    return _client_for(viewer)


@pytest.fixture
def operator_client(operator) -> Client:
    return _client_for(operator)


@pytest.fixture
def team_admin_client(team_admin) -> Client:
    return _client_for(team_admin)


@pytest.fixture
def telnyx_base(settings) -> str:
    """Point the portal at a fake Telnyx base URL for `responses`-mocked unit tests."""
    settings.TELNYX_BASE_URL = "https://telnyx.test/v2"
    settings.TELNYX_MAX_RETRIES = 0
    return settings.TELNYX_BASE_URL


@pytest.fixture
def sandbox(live_server, settings):
    """Point the portal at the sandbox served over real HTTP by the live server."""
    settings.TELNYX_BASE_URL = f"{live_server.url}/sandbox/v2"
    settings.TELNYX_MAX_RETRIES = 0
    settings.SANDBOX_FAULTS = ""
    yield settings.TELNYX_BASE_URL
    # Keep-alive connections would hold live-server threads open past the test.
    from portal.telnyx import reset_clients

    reset_clients()


# --- The API key never leaks ------------------------------------------------------------------
class _KeyLeakHandler(logging.Handler):
    leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        from django.conf import settings

        text = record.getMessage()
        for key in filter(None, (settings.SANDBOX_API_KEY, settings.TELNYX_API_KEY)):
            if key in text:
                self.leaks.append(f"{record.name}: {text[:200]}")


@pytest.fixture
def kept_clock_still(monkeypatch):
    """A kept page's key holds the minute: a minute that turns between a first view and its repeat
    makes the repeat render again, now and then. For tests that compare the two, the clock stands still."""
    import sys
    from types import SimpleNamespace

    import core.changelist.kept  # noqa: F401  (loaded, so it can be patched)

    monkeypatch.setattr(sys.modules["core.changelist.kept"], "time", SimpleNamespace(time=lambda: 1_800_000_000.0))


@pytest.fixture(autouse=True)
def empty_shared_cache():
    """Kept counts and choices (core.changelist.kept) live in the cache: no test sees another's."""
    from django.core.cache import cache

    from core.changelist.kept import forget_recent_pages

    cache.clear()
    forget_recent_pages()  # this process's copies of kept pages go with the cache they came from
    yield


@pytest.fixture(autouse=True)
def api_key_never_leaks(monkeypatch, request):
    """Fail any test whose responses (test client), log lines or audit events hold the API key."""
    from django.conf import settings
    from django.db.models.signals import post_save

    from portal.models import AuditEvent

    handler = _KeyLeakHandler(level=logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    original = Client.request
    leaked: list[str] = []

    def checked_request(self, **kwargs):
        response = original(self, **kwargs)
        body = b"" if getattr(response, "streaming", False) else response.content
        for key in filter(None, (settings.SANDBOX_API_KEY, settings.TELNYX_API_KEY)):
            if key.encode() in body:
                leaked.append(f"{kwargs.get('PATH_INFO')} returned the API key")
        return response

    monkeypatch.setattr(Client, "request", checked_request)

    def check_audit_event(sender, instance, **kwargs):
        text = f"{instance.summary} {instance.error_message} {instance.changes} {instance.resource_label}"
        for key in filter(None, (settings.SANDBOX_API_KEY, settings.TELNYX_API_KEY)):
            if key in text:
                leaked.append(f"audit event {instance.action} {instance.resource_type} contains the API key")

    post_save.connect(check_audit_event, sender=AuditEvent)
    yield
    root.removeHandler(handler)
    post_save.disconnect(check_audit_event, sender=AuditEvent)
    leaks = leaked + handler.leaks
    handler.leaks = []
    assert not leaks, f"API key leaked: {leaks}"


# --- API object factories -------------------------------------------------------------------
@pytest.fixture
def assistant_json():
    """Build an assistant object shaped like Telnyx's (the SDK's InferenceEmbedding)."""

    def build(n: int = 1, **overrides) -> dict:
        data = {
            "id": f"assistant-{n:08d}-0000-4000-8000-000000000000",
            "name": f"Support bot {n}",
            "model": "meta-llama/Meta-Llama-3.1-70B-Instruct",
            "instructions": f"You are support bot number {n}. Be brief.",
            "description": "Answers support questions",
            "tags": ["support"],
            "created_at": "2026-11-01T10:00:00Z",
            "version_id": f"version-{n}",
            "version_created_at": "2026-11-20T10:00:00Z",
        }
        data.update(overrides)
        return data

    return build


# --- Every JSON body the portal sends to the sandbox, for the contract check ----------------
@pytest.fixture(scope="session", autouse=True)
def record_request_bodies_sent_to_the_sandbox():
    """Wrap the one HTTP call site; tests/contract/test_zz_request_bodies.py validates what it saw."""
    from portal.telnyx.client import TelnyxClient
    from tests.contract.request_bodies import RECORDED, Recorded, dump_recorded

    original = TelnyxClient.request

    def recording(self, method, path, **kwargs):
        if kwargs.get("json") is not None and "/sandbox/v2" in self.base_url:
            RECORDED.append(Recorded(method.upper(), path, kwargs["json"]))
        return original(self, method, path, **kwargs)

    TelnyxClient.request = recording
    yield
    TelnyxClient.request = original
    # Under pytest-xdist each worker keeps its own list: bin/test sets TEST_RECORD_DIR, every
    # worker leaves its bodies there, and the final contract check reads them all.
    record_dir = os.environ.get("TEST_RECORD_DIR")
    if record_dir and RECORDED:
        dump_recorded(Path(record_dir) / f"bodies-{os.getpid()}.json")
