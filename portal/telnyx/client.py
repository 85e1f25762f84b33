"""The one HTTP client for Telnyx: session per thread, auth, timeouts, retries, typed errors.

Transport only: it knows URLs, headers and JSON, never the ORM or views. It is the only
module in the project that imports `requests`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

import requests
import urllib3

from . import errors, retry
from .pagination import iterate_pages
from .sse import SseEvent, parse_events

logger = logging.getLogger("portal.telnyx")

REQUEST_ID_HEADERS = ("x-request-id", "x-telnyx-request-id", "request-id")


@dataclass
class TelnyxResponse:
    """A successful answer: the decoded body plus what the audit log records."""

    status: int
    data: Any
    request_id: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""
    content_type: str = ""


class TelnyxClient:
    """Calls the Telnyx v2 API (or the sandbox, which speaks the same) at `base_url`."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_retries: int = 2,
        user_agent: str = "telnyx-ai-portal",
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.timeout = (connect_timeout, read_timeout)
        self.max_retries = max_retries
        self.user_agent = user_agent
        self._sleep = sleep
        self._local = threading.local()

    def close(self) -> None:
        """Close this thread's session and its pooled connections."""
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()
            self._local.session = None

    def __repr__(self) -> str:  # never show the key
        return f"<TelnyxClient {self.base_url}>"

    @property
    def session(self) -> requests.Session:
        """One pooled session per thread: requests.Session is not thread-safe."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(
                {
                    "Authorization": f"Bearer {self._api_key}",
                    "Accept": "application/json",
                    "User-Agent": self.user_agent,
                }
            )
            self._local.session = session
        return session

    # --- verbs -----------------------------------------------------------------------------
    def get(self, path: str, *, params: Mapping[str, Any] | None = None, **kw: Any) -> TelnyxResponse:
        return self.request("GET", path, params=params, **kw)

    def post(
        self,
        path: str,
        *,
        json: Any = None,
        idempotency_key: str | None = None,
        **kw: Any,
    ) -> TelnyxResponse:
        return self.request("POST", path, json=json, idempotency_key=idempotency_key, **kw)

    def put(self, path: str, *, json: Any = None, **kw: Any) -> TelnyxResponse:
        return self.request("PUT", path, json=json, **kw)

    def patch(self, path: str, *, json: Any = None, **kw: Any) -> TelnyxResponse:
        return self.request("PATCH", path, json=json, **kw)

    def delete(self, path: str, *, params: Mapping[str, Any] | None = None, **kw: Any) -> TelnyxResponse:
        return self.request("DELETE", path, params=params, **kw)

    def paginate(
        self, path: str, *, params: Mapping[str, Any] | None = None, page_size: int = 100, max_pages: int = 10_000
    ) -> Iterator[Any]:
        """Yield every item of a `page[number]`/`page[size]` listing, following `meta`."""
        yield from iterate_pages(self, path, params=params, page_size=page_size, max_pages=max_pages)

    # --- the one place a request is made ---------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        accept: str | None = None,
    ) -> TelnyxResponse:
        """Send one API call with the SDK's retry rules; return its answer or raise TelnyxError."""
        url = self._url(path)
        send_headers = dict(headers or {})
        if idempotency_key:
            # Keys come back from the browser in forms; one that cannot be a header value (a
            # tampered form: control or non-ASCII characters) would crash the call, so it is
            # replaced as if the form were new.
            if not HEADER_SAFE_KEY.fullmatch(idempotency_key):
                idempotency_key = new_idempotency_key()
            send_headers["Idempotency-Key"] = idempotency_key
        if accept:
            send_headers["Accept"] = accept
        can_retry = retry.is_idempotent(method, send_headers)
        attempt = 0
        while True:
            send_headers["x-stainless-retry-count"] = str(attempt)
            started = time.monotonic()
            try:
                resp = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    data=data,
                    files=files,
                    headers=send_headers,
                    timeout=self.timeout,
                )
            except requests.exceptions.RequestException as exc:
                # Timeouts (connect or read) and every other transport failure: no answer.
                timed_out = isinstance(exc, requests.exceptions.Timeout)
                error_class = errors.APITimeoutError if timed_out else errors.APIConnectionError
                self._log(method, path, None, started, "", f"{'timeout' if timed_out else 'connection error'}: {type(exc).__name__}")
                if can_retry and attempt < self.max_retries:
                    self._sleep(retry.backoff_seconds(attempt))
                    attempt += 1
                    continue
                raise error_class(method=method, path=path) from None

            request_id = _request_id(resp.headers)
            self._log(method, path, resp.status_code, started, request_id)
            if resp.status_code < 400:
                return TelnyxResponse(
                    status=resp.status_code,
                    data=_decode(resp),
                    request_id=request_id,
                    headers=resp.headers,
                    content=resp.content,
                    content_type=resp.headers.get("content-type", ""),
                )
            if can_retry and attempt < self.max_retries and retry.is_retryable_status(resp.status_code, resp.headers):
                self._sleep(retry.backoff_seconds(attempt, resp.headers))
                attempt += 1
                continue
            raise _status_error(resp, method, path, request_id)

    def stream(self, path: str, *, json: Any = None) -> Iterator[SseEvent]:
        """POST and yield the answer's server-sent events as they arrive.

        Never retried: a chat turn is not idempotent. The read timeout applies between two
        chunks, not to the whole reply. A server that answers JSON instead of a stream yields
        one "response" event holding that JSON text, so callers can fall back to a whole reply.
        Errors before the first event raise the usual TelnyxError; one log line per stream.
        """
        url, started, events = self._url(path), time.monotonic(), 0
        headers = {"Accept": "text/event-stream", "x-stainless-retry-count": "0"}
        request_id, note, status = "", "", None
        try:
            try:
                resp = self.session.post(url, json=json, headers=headers, timeout=self.timeout, stream=True)
            except requests.exceptions.RequestException as exc:
                timed_out = isinstance(exc, requests.exceptions.Timeout)
                note = f"{'timeout' if timed_out else 'connection error'}: {type(exc).__name__}"
                raise (errors.APITimeoutError if timed_out else errors.APIConnectionError)(method="POST", path=path) from None
            request_id, status = _request_id(resp.headers), resp.status_code
            with resp:
                if resp.status_code >= 400:
                    raise _status_error(resp, "POST", path, request_id)
                if "text/event-stream" not in resp.headers.get("content-type", ""):
                    events = 1
                    yield SseEvent("response", resp.text)
                    return
                try:
                    for event in parse_events(_lines_as_they_arrive(resp)):
                        events += 1
                        yield event
                except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as exc:
                    # Reading the raw body raises urllib3's errors, not requests' wrappers.
                    timed_out = isinstance(exc, (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError))
                    note = f"stream broken: {type(exc).__name__}"
                    raise (errors.APITimeoutError if timed_out else errors.APIConnectionError)(method="POST", path=path) from None
        except GeneratorExit:
            note = "stopped by caller"
            raise
        finally:
            self._log("POST", path, status, started, request_id, f"stream events={events}" + (f" {note}" if note else ""))

    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def _log(self, method: str, path: str, status: int | None, started: float, request_id: str, note: str = "") -> None:
        # Path only: query strings and bodies may hold personal data; the key is in a header.
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.info(
            "telnyx %s %s status=%s duration_ms=%.0f request_id=%s%s",
            method,
            "/" + path.split("?")[0].lstrip("/"),
            status if status is not None else "-",
            elapsed_ms,
            request_id or "-",
            f" {note}" if note else "",
        )


HEADER_SAFE_KEY = re.compile(r"[A-Za-z0-9._:-]{1,255}")


def new_idempotency_key() -> str:
    return f"portal-{uuid.uuid4()}"


def _lines_as_they_arrive(resp: requests.Response) -> Iterator[str]:
    """The body's lines (UTF-8) as soon as each arrives: `read1` returns what the socket has,
    where `iter_lines` would wait for a full buffer of a close-delimited body."""
    pending = b""
    while True:
        chunk = resp.raw.read1(8192, decode_content=True) if hasattr(resp.raw, "read1") else resp.raw.read(8192)
        if not chunk:
            break
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            yield line.rstrip(b"\r").decode("utf-8", errors="replace")
    if pending:
        yield pending.rstrip(b"\r").decode("utf-8", errors="replace")


def _request_id(headers: Mapping[str, str]) -> str:
    for name in REQUEST_ID_HEADERS:
        if headers.get(name):
            return headers[name]
    return ""


def _decode(resp: requests.Response) -> Any:
    if resp.status_code == 204 or not resp.content:
        return None
    content_type = resp.headers.get("content-type", "")
    if "json" in content_type:
        try:
            return resp.json()
        except ValueError:
            return resp.text
    if content_type.startswith("text/") or "xml" in content_type:
        return resp.text
    return None


def _status_error(resp: requests.Response, method: str, path: str, request_id: str) -> errors.APIStatusError:
    try:
        body: Any = resp.json()
    except ValueError:
        body = resp.text
    cls = errors.error_class_for(resp.status_code)
    return cls(
        status=resp.status_code,
        errors=errors.parse_error_body(body),
        request_id=request_id,
        method=method,
        path=path,
        retry_after=retry.retry_after_seconds(resp.headers),
    )
