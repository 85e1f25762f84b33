"""The Telnyx client: `get_client()` returns one configured from settings."""

from __future__ import annotations

import threading

from django.conf import settings

from .client import TelnyxClient, TelnyxResponse, new_idempotency_key
from .errors import (
    APIConnectionError,
    APIStatusError,
    APIStreamError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    InvalidIdError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    TelnyxError,
    UnprocessableEntityError,
)

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APIStreamError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "InvalidIdError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "TelnyxClient",
    "TelnyxError",
    "TelnyxResponse",
    "UnprocessableEntityError",
    "get_client",
    "new_idempotency_key",
    "reset_clients",
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


# One client per configuration, so sessions (and their connection pools) are reused, while
# a test that overrides settings gets a client for its own target.
_clients: dict[tuple, TelnyxClient] = {}
_clients_lock = threading.Lock()


def _client_for(base_url: str, api_key: str, connect: float, read: float, retries: int) -> TelnyxClient:
    key = (base_url, api_key, connect, read, retries)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = TelnyxClient(
                base_url=base_url,
                api_key=api_key,
                connect_timeout=connect,
                read_timeout=read,
                max_retries=retries,
                user_agent=f"telnyx-ai-portal/{settings.PORTAL_VERSION}",
            )
        return client


def reset_clients() -> None:
    """Close the calling thread's sessions of every client and forget the clients."""
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
