"""Typed errors for Telnyx API calls, named as the official SDK names them.

Every failure the client can meet becomes one of these; no `requests` exception escapes.
Each error carries what Telnyx said (status, code, title, detail, source pointer) and the
request id, and offers `user_message`: a plain sentence naming the cause, for the UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class ErrorDetail:
    """One entry of Telnyx's `{"errors": [...]}` envelope."""

    code: str = ""
    title: str = ""
    detail: str = ""
    pointer: str = ""
    parameter: str = ""

    @property
    def field_name(self) -> str:
        """The body field the error points at: "/instructions" → "instructions"."""
        if self.pointer:
            return self.pointer.strip("/").split("/")[0]
        return self.parameter


class TelnyxError(Exception):
    """Base of every error raised by portal.telnyx."""

    status: int | None = None
    default_message = "Telnyx could not complete the request."

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        errors: list[ErrorDetail] | None = None,
        request_id: str = "",
        method: str = "",
        path: str = "",
        retry_after: float | None = None,
    ):
        self.errors = errors or []
        if status is not None:
            self.status = status
        self.request_id = request_id
        self.method = method
        self.path = path
        self.retry_after = retry_after
        super().__init__(message or self.default_message)

    @property
    def first(self) -> ErrorDetail:
        return self.errors[0] if self.errors else ErrorDetail()

    # What the first error says, read straight off the exception (`exc.code`, `exc.pointer`).
    code = property(lambda self: self.first.code)
    title = property(lambda self: self.first.title)
    detail = property(lambda self: self.first.detail)
    pointer = property(lambda self: self.first.pointer)

    def telnyx_says(self) -> str:
        """What Telnyx itself said, joined into one line."""
        parts = []
        for err in self.errors:
            text = err.detail or err.title
            if text and text not in parts:
                parts.append(text)
        return "; ".join(parts)

    @property
    def user_message(self) -> str:
        """A plain-language sentence for the UI: the cause, then Telnyx's own words."""
        said = self.telnyx_says()
        base = self.default_message
        if said and said not in base:
            base = f"{base} Telnyx said: {said}"
        if self.request_id:
            base = f"{base} (request {self.request_id})"
        return base

    def __str__(self) -> str:
        where = f"{self.method} {self.path} " if self.method else ""
        status = f"HTTP {self.status}" if self.status else type(self).__name__
        said = self.telnyx_says()
        return f"{where}{status}{': ' + said if said else ''}"


class APIConnectionError(TelnyxError):
    default_message = "Could not reach Telnyx: the connection failed. Check the network or TELNYX_BASE_URL and try again."


class APITimeoutError(APIConnectionError):
    default_message = "Telnyx did not answer in time. Try again in a moment."


class APIStreamError(TelnyxError):
    """An `error` event after a streamed answer had started (its HTTP status was already 200)."""

    default_message = "Telnyx stopped the reply part-way."


class APIStatusError(TelnyxError):
    """An HTTP error answer. A subclass names its status and message in its class line
    (`class X(APIStatusError, status=404, message="...")`), which also files it under that
    status for `error_class_for`, so the table and the classes cannot drift apart."""

    default_message = "Telnyx returned an unexpected error."
    _by_status: dict[int, type[APIStatusError]] = {}

    def __init_subclass__(cls, *, status: int | None = None, message: str = "", **kwargs):
        super().__init_subclass__(**kwargs)
        if message:
            cls.default_message = message
        if status is not None:
            cls.status = status
            APIStatusError._by_status[status] = cls


class BadRequestError(APIStatusError, status=400, message="Telnyx rejected the request as invalid."):
    pass


class AuthenticationError(APIStatusError, status=401,
                          message="Telnyx rejected the API key (401). Check TELNYX_API_KEY."):
    pass


class PermissionDeniedError(APIStatusError, status=403, message=(
        "The API key is not allowed to do this (403). Check the key's permissions in Telnyx.")):
    pass


class NotFoundError(APIStatusError, status=404,
                    message="Telnyx has no such object (404): it may have been deleted."):
    pass


class InvalidIdError(NotFoundError, message="That is not a valid Telnyx id, so there is no such object."):
    """An id or name that cannot be a Telnyx path segment (empty, "." or ".."): nothing was sent."""


class ConflictError(APIStatusError, status=409, message=(
        "Telnyx reported a conflict (409): the object changed meanwhile. Reload and try again.")):
    pass


class UnprocessableEntityError(APIStatusError, status=422, message="Telnyx could not accept these values (422)."):
    pass


class RateLimitError(APIStatusError, status=429,
                     message="Telnyx is rate limiting requests (429). Wait a moment and try again."):
    pass


class InternalServerError(APIStatusError,
                          message="Telnyx had a server error. Nothing was changed on our side; try again shortly."):
    @property
    def user_message(self) -> str:
        return super().user_message.replace("server error", f"server error ({self.status})", 1)


def error_class_for(status: int) -> type[APIStatusError]:
    if status >= 500:
        return InternalServerError
    return APIStatusError._by_status.get(status, APIStatusError)


def parse_error_body(body: Any) -> list[ErrorDetail]:
    """Read Telnyx's `{"errors": [{code, title, detail, source: {pointer}}]}` envelope.

    Tolerates a bare error object, `{"error": ...}`, or plain text, since the SDK defines
    no error model for AI endpoints.
    """
    if isinstance(body, dict):
        items = body.get("errors")
        if items is None and isinstance(body.get("error"), (dict, str)):
            items = [body["error"]]
        if items is None and ("title" in body or "detail" in body):
            items = [body]
        if isinstance(items, list):
            return [_detail_from(item) for item in items]
        return []
    if isinstance(body, str) and body.strip():
        return [ErrorDetail(detail=body.strip()[:300])]
    return []


def _detail_from(item: Any) -> ErrorDetail:
    if not isinstance(item, dict):
        return ErrorDetail(detail=str(item)[:300])
    source = item.get("source") or {}
    return ErrorDetail(
        code=str(item.get("code") or ""),
        title=str(item.get("title") or ""),
        detail=str(item.get("detail") or item.get("description") or item.get("message") or ""),
        pointer=str(source.get("pointer") or "") if isinstance(source, dict) else "",
        parameter=str(source.get("parameter") or "") if isinstance(source, dict) else "",
    )
