"""The Telnyx client: URLs, headers, retries, typed errors and pagination, over mocked HTTP."""

from __future__ import annotations

import logging

import pytest
import requests
import responses
from responses import matchers

from portal.telnyx import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    TelnyxClient,
    UnprocessableEntityError,
)

BASE = "https://telnyx.test/v2"
KEY = "KEYunit_0123456789_secret"


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(sleeps) -> TelnyxClient:
    return TelnyxClient(base_url=BASE, api_key=KEY, max_retries=2, sleep=sleeps.append)


def error_body(code="10005", title="Resource not found", detail="", pointer=""):
    item = {"code": code, "title": title, "detail": detail}
    if pointer:
        item["source"] = {"pointer": pointer}
    return {"errors": [item]}


@responses.activate
def test_sends_bearer_key_accept_and_user_agent(client):
    responses.get(f"{BASE}/ai/assistants", json={"data": []}, headers={"x-request-id": "req-1"})
    response = client.get("ai/assistants")
    sent = responses.calls[0].request
    assert sent.headers["Authorization"] == f"Bearer {KEY}"
    assert sent.headers["Accept"] == "application/json"
    assert sent.headers["User-Agent"].startswith("telnyx-ai-portal")
    assert response.data == {"data": []}
    assert response.request_id == "req-1"


@pytest.mark.parametrize(
    "status, error_class",
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (503, InternalServerError),
    ],
)
@responses.activate
def test_each_status_raises_its_error_class_with_telnyx_details(status, error_class):
    client = TelnyxClient(base_url=BASE, api_key=KEY, max_retries=0)
    responses.post(
        f"{BASE}/ai/assistants",
        status=status,
        json=error_body(code="10015", title="Bad thing", detail="name is wrong", pointer="/name"),
        headers={"x-request-id": "req-err"},
    )
    with pytest.raises(error_class) as caught:
        client.post("ai/assistants", json={"name": "x"})
    error = caught.value
    assert error.status == status
    assert (error.code, error.title, error.detail, error.pointer) == ("10015", "Bad thing", "name is wrong", "/name")
    assert error.request_id == "req-err"
    assert "name is wrong" in error.user_message
    assert "req-err" in error.user_message


@responses.activate
def test_rate_limit_waits_retry_after_then_succeeds(client, sleeps):
    responses.get(f"{BASE}/ai/assistants", status=429, json=error_body(), headers={"Retry-After": "3"})
    responses.get(f"{BASE}/ai/assistants", json={"data": [{"id": "a"}]})
    assert client.get("ai/assistants").data == {"data": [{"id": "a"}]}
    assert sleeps == [3.0]
    assert [c.request.headers["x-stainless-retry-count"] for c in responses.calls] == ["0", "1"]


@responses.activate
def test_retry_after_ms_is_honoured(client, sleeps):
    responses.get(f"{BASE}/x", status=429, headers={"retry-after-ms": "250"})
    responses.get(f"{BASE}/x", json={})
    client.get("x")
    assert sleeps == [0.25]


@responses.activate
def test_503_on_get_is_retried_with_backoff_then_gives_up(client, sleeps):
    for _ in range(3):
        responses.get(f"{BASE}/ai/assistants", status=503, json=error_body(title="Service unavailable"))
    with pytest.raises(InternalServerError) as caught:
        client.get("ai/assistants")
    assert len(responses.calls) == 3  # one try and two retries
    assert caught.value.status == 503
    # Jittered exponential backoff: 0.5 s then 1 s, each reduced by at most 25 %.
    assert 0.375 <= sleeps[0] <= 0.5 and 0.75 <= sleeps[1] <= 1.0


@responses.activate
def test_post_without_idempotency_key_is_not_retried(client, sleeps):
    responses.post(f"{BASE}/ai/assistants", status=503, json=error_body())
    with pytest.raises(InternalServerError):
        client.post("ai/assistants", json={"name": "x"})
    assert len(responses.calls) == 1
    assert sleeps == []


@responses.activate
def test_post_with_idempotency_key_is_retried_with_the_same_key(client):
    responses.post(f"{BASE}/ai/assistants", status=502)
    responses.post(f"{BASE}/ai/assistants", json={"id": "assistant-1"})
    assert client.post("ai/assistants", json={"name": "x"}, idempotency_key="key-1").data == {"id": "assistant-1"}
    keys = [c.request.headers["Idempotency-Key"] for c in responses.calls]
    assert keys == ["key-1", "key-1"]


@responses.activate
def test_4xx_other_than_408_409_429_is_never_retried(client):
    responses.get(f"{BASE}/ai/assistants/missing", status=404, json=error_body())
    with pytest.raises(NotFoundError):
        client.get("ai/assistants/missing")
    assert len(responses.calls) == 1


@responses.activate
def test_x_should_retry_false_overrides_a_retryable_status(client):
    responses.get(f"{BASE}/x", status=503, headers={"x-should-retry": "false"})
    with pytest.raises(InternalServerError):
        client.get("x")
    assert len(responses.calls) == 1


@responses.activate
def test_pagination_follows_meta_across_three_pages(client):
    for number in (1, 2, 3):
        responses.get(
            f"{BASE}/ai/assistants/tests",
            match=[matchers.query_param_matcher({"page[number]": str(number), "page[size]": "2", "filter": "x"})],
            json={
                "data": [{"id": f"t{number}a"}, {"id": f"t{number}b"}][: 1 if number == 3 else 2],
                "meta": {"page_number": number, "total_pages": 3, "page_size": 2, "total_results": 5},
            },
        )
    items = list(client.paginate("ai/assistants/tests", params={"filter": "x"}, page_size=2))
    assert [i["id"] for i in items] == ["t1a", "t1b", "t2a", "t2b", "t3a"]
    assert len(responses.calls) == 3


@responses.activate
def test_pagination_of_a_bare_array_stops_at_an_empty_page(client):
    responses.get(f"{BASE}/ai/mcp_servers", match=[matchers.query_param_matcher({"page[number]": "1", "page[size]": "2"})], json=[{"id": 1}, {"id": 2}])
    responses.get(f"{BASE}/ai/mcp_servers", match=[matchers.query_param_matcher({"page[number]": "2", "page[size]": "2"})], json=[{"id": 3}])
    responses.get(f"{BASE}/ai/mcp_servers", match=[matchers.query_param_matcher({"page[number]": "3", "page[size]": "2"})], json=[])
    assert [i["id"] for i in client.paginate("ai/mcp_servers", page_size=2)] == [1, 2, 3]


@responses.activate
def test_timeout_raises_api_timeout_error_after_retries(client, sleeps):
    for _ in range(3):
        responses.get(f"{BASE}/slow", body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(APITimeoutError) as caught:
        client.get("slow")
    assert len(responses.calls) == 3
    assert "did not answer in time" in caught.value.user_message


@responses.activate
def test_connection_refused_raises_api_connection_error(client):
    for _ in range(3):
        responses.get(f"{BASE}/down", body=requests.exceptions.ConnectionError("Connection refused"))
    with pytest.raises(APIConnectionError) as caught:
        client.get("down")
    assert not isinstance(caught.value, APITimeoutError)
    assert "Could not reach Telnyx" in caught.value.user_message


def test_connection_refused_on_a_real_closed_port():
    # A real socket, no mock: nothing listens on port 9 of localhost.
    client = TelnyxClient(base_url="http://127.0.0.1:9/v2", api_key=KEY, max_retries=0, connect_timeout=1)
    with pytest.raises(APIConnectionError):
        client.get("ai/assistants")


@responses.activate
def test_one_log_line_per_call_without_the_key_or_body(client, caplog):
    responses.post(f"{BASE}/ai/assistants", json={"id": "a"}, headers={"x-request-id": "req-log"})
    with caplog.at_level(logging.INFO, logger="portal.telnyx"):
        client.post("ai/assistants", json={"name": "secret-name", "api_key_ref": "top-secret"})
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.telnyx"]
    assert len(lines) == 1
    assert "POST /ai/assistants" in lines[0]
    assert "status=200" in lines[0] and "request_id=req-log" in lines[0]
    assert KEY not in lines[0] and "top-secret" not in lines[0] and "secret-name" not in lines[0]
    assert KEY not in repr(client)


@responses.activate
def test_error_body_that_is_not_json_still_gives_a_readable_message(client):
    responses.get(f"{BASE}/x", status=404, body="<html>nope</html>", content_type="text/html")
    with pytest.raises(NotFoundError) as caught:
        client.get("x")
    assert "404" in caught.value.user_message


@responses.activate
def test_pagination_stops_when_an_endpoint_ignores_page_numbers(client):
    # A list that is not paginated answers every page with the same items and no meta.
    responses.get(f"{BASE}/ai/assistants", json={"data": [{"id": "a"}, {"id": "b"}]})
    assert [i["id"] for i in client.paginate("ai/assistants", page_size=2)] == ["a", "b"]
    assert len(responses.calls) == 2


@responses.activate
def test_an_idempotency_key_that_cannot_be_a_header_is_replaced_not_a_crash(telnyx_base):
    """A tampered form's key (control and non-ASCII characters) was a 500 from requests."""
    from portal.telnyx import get_client

    responses.post(f"{telnyx_base}/ai/assistants", json={"data": {"id": "a1"}})
    get_client().request("POST", "ai/assistants", json={}, idempotency_key="j\x14\U00077de2k")
    sent = responses.calls[0].request.headers["Idempotency-Key"]
    assert sent.startswith("portal-") and sent.isascii()
