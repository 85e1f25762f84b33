"""The client's streaming POST: server-sent events as they arrive, typed errors, never retried."""

from __future__ import annotations

import pytest
import requests
import responses
import urllib3

from portal.telnyx import APIConnectionError, APITimeoutError, TelnyxClient
from portal.telnyx.resources import chat_completions
from portal.telnyx.sse import SseEvent, parse_events

BASE = "https://telnyx.test/v2"
URL = f"{BASE}/ai/openai/chat/completions"


@pytest.fixture
def client() -> TelnyxClient:
    return TelnyxClient(base_url=BASE, api_key="KEYunit_stream_secret", max_retries=2, sleep=lambda s: None)


def test_events_are_split_on_blank_lines_with_multi_line_data_joined():
    lines = ["event: delta", "data: a", "data: b", "", ": comment", "", "data: [DONE]"]
    assert list(parse_events(lines)) == [SseEvent("delta", "a\nb"), SseEvent("message", "[DONE]")]


@responses.activate
def test_a_refused_connection_is_a_typed_error_and_is_not_retried(client):
    responses.post(URL, body=requests.exceptions.ConnectionError("refused"))
    with pytest.raises(APIConnectionError):
        list(client.stream("ai/openai/chat/completions", json={}))
    assert len(responses.calls) == 1


@responses.activate
def test_a_timeout_is_a_timeout_error(client):
    responses.post(URL, body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError):
        list(client.stream("ai/openai/chat/completions", json={}))


@responses.activate
def test_completion_chunks_arrive_until_done(telnyx_base):
    chunk = '{"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": "Hi"}}]}'
    responses.post(URL, body=f"data: {chunk}\n\ndata: [DONE]\n\n", content_type="text/event-stream")
    got = list(chat_completions.stream({"messages": [{"role": "user", "content": "Hello"}]}))
    assert [c["choices"][0]["delta"]["content"] for c in got] == ["Hi"]


class _BrokenRaw:
    """A body that delivers one event, then loses the connection."""

    def __init__(self):
        self.chunks = [b'event: delta\ndata: {"content": "Hap"}\n\n']

    def read1(self, amount, decode_content=True):
        if self.chunks:
            return self.chunks.pop(0)
        raise urllib3.exceptions.ProtocolError("Connection broken: IncompleteRead(0 bytes read)")

    def close(self):
        pass

    def release_conn(self):
        pass


def test_a_connection_lost_mid_stream_is_a_typed_error_after_the_events_so_far(client, monkeypatch):
    response = requests.Response()
    response.status_code, response.raw = 200, _BrokenRaw()
    response.headers["content-type"] = "text/event-stream"
    monkeypatch.setattr(client.session, "post", lambda *a, **kw: response)
    events = client.stream("ai/assistants/a-1/chat", json={})
    assert next(events) == SseEvent("delta", '{"content": "Hap"}')
    with pytest.raises(APIConnectionError):
        next(events)
