"""A sync on a real worker meets Telnyx's rate limit (429 + Retry-After) and still finishes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import SyncState
from sandbox import api as sandbox_api
from sandbox import ratelimit
from sandbox.behaviour.assistants import assistant_create

from .conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.mark.parametrize("broker", ["embedded"], indirect=True)
def test_an_assistants_sync_waits_out_429s_and_holds_every_page(start_worker, viewer_client, settings, monkeypatch):
    start = timezone.now() - timedelta(days=1)
    for n in range(250):
        assistant_create(config={"name": f"Limited {n:03d}"}, created_at=start + timedelta(seconds=n))
    # One request per two seconds: three pages asked back to back cannot all pass.
    settings.SANDBOX_RATE_LIMIT = "1/2"
    refused = []
    original = ratelimit.check

    def counting(key):
        verdict = original(key)
        if verdict is not None and not verdict.allowed:
            refused.append(verdict)
        return verdict

    monkeypatch.setattr(sandbox_api.ratelimit, "check", counting)
    start_worker(TELNYX_MAX_RETRIES="4")
    viewer_client.post(reverse("assistants:assistant-refresh"), headers={"HX-Request": "true"})
    state = wait_for(lambda: SyncState.objects.filter(resource="assistants", synced_at__isnull=False).first(),
                     timeout=90, what="the worker's sync")
    assert state.item_count == 250 and not state.last_error
    assert refused, "the sync never met the rate limit"
