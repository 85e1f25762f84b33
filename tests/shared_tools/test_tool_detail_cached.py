"""A shared tool's page when Telnyx cannot be read: the cached copy, with the banner that says so."""

from __future__ import annotations

import pytest
import responses
from django.urls import reverse

from shared_tools import services

pytestmark = pytest.mark.django_db

TOOL = {"id": "tool-1", "display_name": "Order lookup", "type": "webhook", "timeout_ms": 4000,
        "tool_definition": {"url": "https://hooks.example/orders"}, "created_at": "2026-11-01T10:00:00Z"}


@responses.activate
def test_detail_falls_back_to_the_cached_copy_and_says_so(telnyx_base, viewer_client):
    services.tool_cache_put(TOOL)
    url = reverse("shared_tools:tool-detail", args=["tool-1"])
    responses.get(f"{telnyx_base}/ai/tools/tool-1", status=503, json={"errors": [{"title": "down"}]})
    content = viewer_client.get(url).content.decode()
    assert 'data-testid="stale-banner"' in content and "Showing the cached copy" in content and "Order lookup" in content
    responses.replace(responses.GET, f"{telnyx_base}/ai/tools/tool-1", json={"data": TOOL})
    assert 'data-testid="stale-banner"' not in viewer_client.get(url).content.decode()
