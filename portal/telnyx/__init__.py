"""The Telnyx client: `get_client()` returns one configured from settings."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from .client import TelnyxClient, TelnyxResponse, new_idempotency_key
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    TelnyxError,
    UnprocessableEntityError,
    split_field_errors,
)

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "TelnyxClient",
    "TelnyxError",
    "TelnyxResponse",
    "UnprocessableEntityError",
    "get_client",
    "new_idempotency_key",
    "split_field_errors",
]


def get_client() -> TelnyxClient:
    """The client for the configured target: real Telnyx with a key, else the sandbox."""
    return _client_for(
        settings.TELNYX_BASE_URL,
        settings.TELNYX_API_KEY or settings.SANDBOX_API_KEY,
        settings.TELNYX_CONNECT_TIMEOUT,
        settings.TELNYX_READ_TIMEOUT,
        settings.TELNYX_MAX_RETRIES,
    )


@lru_cache(maxsize=8)
def _client_for(base_url: str, api_key: str, connect: float, read: float, retries: int) -> TelnyxClient:
    # Cached per configuration so sessions (and their connection pools) are reused, while a
    # test that overrides settings gets a client for its own target.
    return TelnyxClient(
        base_url=base_url,
        api_key=api_key,
        connect_timeout=connect,
        read_timeout=read,
        max_retries=retries,
        user_agent=f"telnyx-ai-portal/{settings.PORTAL_VERSION}",
    )
