"""Fixtures for sandbox behaviour tests: an authenticated JSON client on /sandbox/v2."""

import json
from urllib.parse import urlencode

import pytest
from django.conf import settings

from sandbox import faults

BASE = "/sandbox/v2"


class SandboxClient:
    """Thin wrapper over Django's test client that speaks JSON with the sandbox key."""

    def __init__(self, client, key):
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def _call(self, method, path, body=None, headers=None, **query):
        kwargs = {"headers": {**self.headers, **(headers or {})}}
        if body is not None:
            kwargs["data"] = json.dumps(body) if not isinstance(body, (str, bytes)) else body
            kwargs["content_type"] = "application/json"
        url = BASE + path
        if query:
            kwargs["QUERY_STRING"] = urlencode(query)
        return getattr(self.client, method)(url, **kwargs)

    def get(self, path, **kw):
        return self._call("get", path, **kw)

    def post(self, path, body=None, **kw):
        return self._call("post", path, body if body is not None else {}, **kw)

    def put(self, path, body=None, **kw):
        return self._call("put", path, body if body is not None else {}, **kw)

    def delete(self, path, **kw):
        return self._call("delete", path, **kw)


@pytest.fixture
def api(client, db):
    faults.reset_rng()
    return SandboxClient(client, settings.SANDBOX_API_KEY)


@pytest.fixture
def anon_api(client, db):
    return SandboxClient(client, None)


@pytest.fixture(autouse=True)
def _instant_async(settings):
    # Asynchronous work finishes at once unless a test asks otherwise.
    settings.SANDBOX_ASYNC_SECONDS = 0
    settings.SANDBOX_FAULTS = ""


@pytest.fixture
def make_assistant(api):
    def make(**fields):
        body = {"name": "Helper", "instructions": "Be helpful.", **fields}
        response = api.post("/ai/assistants", body)
        assert response.status_code == 200, response.content
        return response.json()

    return make
