"""`/ai/assistants/tags` and an assistant's tags (SDK: resources/ai/assistants/tags.py)."""

from __future__ import annotations

from ..client import TelnyxResponse
from ._base import api_path, client

BASE = ("ai", "assistants")


def list_all() -> list[str]:
    """Every tag in use on the account's assistants."""
    body = client().get(api_path(*BASE, "tags")).data or {}
    return [t for t in body.get("tags") or [] if isinstance(t, str)]


def add(assistant_id: str, tag: str) -> TelnyxResponse:
    """`.data` is `{tags}`: the assistant's tags now.

    No service calls `add` or `remove` today: tags change through the change form, on a new
    version that is not live. Telnyx (and the sandbox) save a tag change as a new *main* version,
    so a service that calls these must first call `assistants.hooks.refuse_live_edit`, as
    attaching a shared tool does, or one Admin could change what callers get under two-person approval."""
    return client().post(api_path(*BASE, assistant_id, "tags"), json={"tag": tag})


def remove(assistant_id: str, tag: str) -> TelnyxResponse:
    return client().delete(api_path(*BASE, assistant_id, "tags", tag))
