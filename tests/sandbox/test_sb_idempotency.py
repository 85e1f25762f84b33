"""Idempotency-Key: retried creates are replayed, not applied twice."""

import pytest
import requests
from django.conf import settings

from sandbox.models import SbAssistant


def test_same_key_replays_the_first_response(api):
    headers = {"Idempotency-Key": "create-1"}
    first = api.post("/ai/assistants", {"name": "Once", "instructions": "x"}, headers=headers)
    second = api.post("/ai/assistants", {"name": "Once", "instructions": "x"}, headers=headers)
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert SbAssistant.objects.count() == 1


def test_without_key_each_post_creates(api):
    api.post("/ai/assistants", {"name": "A", "instructions": "x"})
    api.post("/ai/assistants", {"name": "A", "instructions": "x"})
    assert SbAssistant.objects.count() == 2


def test_key_reuse_with_other_body_is_422(api):
    headers = {"Idempotency-Key": "create-2"}
    api.post("/ai/assistants", {"name": "A", "instructions": "x"}, headers=headers)
    response = api.post("/ai/assistants", {"name": "B", "instructions": "x"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["parameter"] == "Idempotency-Key"


def test_unknown_path_is_404_envelope(api):
    for path in ("/ai/nothing-here", "/ai/assistants/"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "10005"


def test_drop_after_does_the_work_and_a_keyed_retry_gets_it(live_server, transactional_db):
    url = live_server.url + "/sandbox/v2/ai/assistants"
    headers = {"Authorization": f"Bearer {settings.SANDBOX_API_KEY}", "Idempotency-Key": "drop-after-1"}
    body = {"name": "Survivor", "instructions": "x"}
    with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        requests.post(url, json=body, headers={**headers, "X-Sandbox-Fault": "drop_after"}, timeout=5)
    assert SbAssistant.objects.count() == 1  # the create happened although the client saw an error
    retried = requests.post(url, json=body, headers=headers, timeout=5)
    assert retried.status_code == 200
    assert retried.json()["id"] == SbAssistant.objects.get().pk
    assert SbAssistant.objects.count() == 1
