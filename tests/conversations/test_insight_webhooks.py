"""Telnyx insight webhooks: only bodies signed the way Telnyx signs (Ed25519 over
"{timestamp}|{body}", 5-minute window) are kept; each event is applied once on the worker and
an older event never replaces a newer result. The endpoint needs no login and no CSRF token."""

from __future__ import annotations

import base64
import json
import time
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client
from django.urls import reverse

from conversations.models import InsightEvent, InsightResult

pytestmark = pytest.mark.django_db
URL = "/webhooks/telnyx/insights/"


@pytest.fixture
def telnyx_key(settings):
    """An account key pair; the portal trusts its public half (TELNYX_PUBLIC_KEY)."""
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    settings.TELNYX_PUBLIC_KEY = base64.b64encode(raw).decode()
    return private


def event(*, event_id=None, occurred_at="2026-12-01T10:00:00Z", conversation="conv-1", result="first", insight="ins-1"):
    return {"data": {"record_type": "event", "id": event_id or str(uuid.uuid4()), "event_type": "call.analyzed",
                     "occurred_at": occurred_at, "payload": {"conversation_id": conversation, "conversation_insights": [
                         {"status": "completed", "conversation_insights": [{"insight_id": insight, "result": result}]}]}}}


def deliver(key, body, *, timestamp=None, signature=None, client=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    timestamp = str(int(time.time())) if timestamp is None else str(timestamp)
    signature = signature or base64.b64encode(key.sign(f"{timestamp}|".encode() + raw)).decode()
    client = client or Client(enforce_csrf_checks=True)  # anonymous, no CSRF token: as Telnyx calls
    return client.post(URL, raw, content_type="application/json",
                       headers={"telnyx-signature-ed25519": signature, "telnyx-timestamp": timestamp})


def test_a_signed_event_is_kept_answered_at_once_and_applied_on_the_worker(telnyx_key, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(telnyx_key, event(event_id="ev-1", result='{"resolved": true}'))
    assert response.status_code == 200 and response.json() == {"received": "ev-1", "duplicate": False}
    stored = InsightEvent.objects.get()
    assert stored.conversation_id == "conv-1" and stored.outcome == "1 result applied" and stored.processed_at
    result = InsightResult.objects.get()
    assert (result.conversation_id, result.template_id, result.result, result.status) == ("conv-1", "ins-1", '{"resolved": true}', "completed")


@pytest.mark.parametrize("tamper, status, error", [
    ("signature", 401, "The signature does not match the body."),
    ("old", 401, "more than 5 minutes from now"),
    ("future", 401, "more than 5 minutes from now"),
    ("headers", 401, "Missing the telnyx-signature-ed25519"),
    ("other-key", 401, "The signature does not match the body."),
    ("not-json", 400, "not a Telnyx event"),
    ("no-id", 400, "not a Telnyx event"),
    ("bad-time", 400, "malformed"),
])
def test_a_bad_signature_old_timestamp_or_malformed_body_is_refused_and_nothing_stored(telnyx_key, tamper, status, error):
    body = event()
    if tamper == "signature":
        response = deliver(telnyx_key, body, signature=base64.b64encode(b"x" * 64).decode())
    elif tamper == "old":
        response = deliver(telnyx_key, body, timestamp=int(time.time()) - 301)
    elif tamper == "future":
        response = deliver(telnyx_key, body, timestamp=int(time.time()) + 400)
    elif tamper == "headers":
        response = Client().post(URL, json.dumps(body), content_type="application/json")
    elif tamper == "other-key":
        response = deliver(Ed25519PrivateKey.generate(), body)
    elif tamper == "not-json":
        response = deliver(telnyx_key, b"{not json")
    elif tamper == "no-id":
        response = deliver(telnyx_key, {"data": {"event_type": "call.analyzed", "occurred_at": "2026-12-01T10:00:00Z"}})
    else:
        body["data"]["occurred_at"] = "yesterday"
        response = deliver(telnyx_key, body)
    assert response.status_code == status and error in response.json()["error"]
    assert not InsightEvent.objects.exists() and not InsightResult.objects.exists()


def test_a_body_changed_after_signing_is_refused(telnyx_key):
    raw = json.dumps(event()).encode()
    timestamp = str(int(time.time()))
    signature = base64.b64encode(telnyx_key.sign(f"{timestamp}|".encode() + raw)).decode()
    tampered = raw.replace(b"first", b"forged")
    response = deliver(telnyx_key, tampered, timestamp=timestamp, signature=signature)
    assert response.status_code == 401 and not InsightEvent.objects.exists()


def test_a_duplicate_delivery_is_acknowledged_and_applied_once(telnyx_key, django_capture_on_commit_callbacks, monkeypatch):
    applied = []
    from conversations.insights import events as insight_events

    real = insight_events.insight_event_apply
    monkeypatch.setattr(insight_events, "insight_event_apply", lambda pk: applied.append(pk) or real(pk))
    body = event(event_id="ev-dup")
    with django_capture_on_commit_callbacks(execute=True):
        first = deliver(telnyx_key, body)
        again = deliver(telnyx_key, body)
    assert first.json()["duplicate"] is False and again.status_code == 200 and again.json()["duplicate"] is True
    assert InsightEvent.objects.count() == 1 and len(applied) == 1


def test_an_older_event_delivered_late_never_replaces_a_newer_result(telnyx_key, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        deliver(telnyx_key, event(event_id="ev-new", occurred_at="2026-12-01T10:05:00Z", result="newer"))
        deliver(telnyx_key, event(event_id="ev-old", occurred_at="2026-12-01T10:00:00Z", result="older"))
    assert InsightResult.objects.get().result == "newer"
    assert InsightEvent.objects.get(event_id="ev-old").outcome == "0 results applied; 1 older than the stored result, ignored"
    with django_capture_on_commit_callbacks(execute=True):
        deliver(telnyx_key, event(event_id="ev-newest", occurred_at="2026-12-01T10:09:00Z", result="newest"))
    assert InsightResult.objects.get().result == "newest"


def test_the_group_page_shows_the_endpoint_to_copy_and_the_sandbox_key_in_sandbox_mode(viewer_client, settings):
    from django.utils import timezone

    from conversations.models import InsightGroup
    from sandbox.behaviour.signing import public_key_b64

    settings.PORTAL_BASE_URL = "https://portal.example.com"
    settings.TELNYX_PUBLIC_KEY = ""
    settings.TELNYX_BASE_URL = "http://127.0.0.1:9/v2"  # the live read fails; the cached group is shown
    settings.TELNYX_MAX_RETRIES = 0
    InsightGroup.objects.create(telnyx_id="grp-1", name="Support", synced_at=timezone.now(),
                                payload={"id": "grp-1", "webhook": "https://portal.example.com" + URL})
    page = viewer_client.get(reverse("insights:group-detail", args=["grp-1"])).content.decode()
    assert f'<code id="webhook-endpoint" class="text-break">https://portal.example.com{URL}</code>' in page
    assert 'data-copy="#webhook-endpoint"' in page and "In use" in page
    assert public_key_b64() in page
