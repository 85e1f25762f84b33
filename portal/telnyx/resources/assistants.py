"""`/ai/assistants`: assistants, clone, import, recently deleted, restore, TeXML
(SDK: resources/ai/assistants/assistants.py and deleted.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..client import TelnyxResponse
from ._base import api_path, client, unwrap, unwrapped

BASE = ("ai", "assistants")
# Telnyx answers at most 100 assistants a page (undocumented: team-telnyx/telnyx-go#201). We ask
# for the most any v2 listing accepts; the walk follows `meta`, so a smaller cap still gets all.
PAGE_SIZE = 250


def list_all() -> Iterator[dict]:
    """Every assistant, page after page until `meta` says it was the last."""
    return client().paginate(api_path(*BASE), page_size=PAGE_SIZE)


def create(body: dict, *, idempotency_key: str) -> TelnyxResponse:
    return unwrapped(client().post(api_path(*BASE), json=body, idempotency_key=idempotency_key), {})


def retrieve(assistant_id: str) -> dict:
    return unwrap(client().get(api_path(*BASE, assistant_id)).data, {})


def update(assistant_id: str, body: dict, *, idempotency_key: str | None = None) -> TelnyxResponse:
    """Every update saves a new version; `promote_to_main` in `body` decides whether it is live."""
    return unwrapped(client().post(api_path(*BASE, assistant_id), json=body, idempotency_key=idempotency_key), {})


def delete(assistant_id: str, *, hard: bool = False) -> TelnyxResponse:
    """Soft delete (restorable for 30 days), or with `hard` gone at once for good."""
    return client().delete(api_path(*BASE, assistant_id), params={"hard_delete": "true"} if hard else None)


def clone(assistant_id: str, *, idempotency_key: str) -> TelnyxResponse:
    return unwrapped(client().post(api_path(*BASE, assistant_id, "clone"), idempotency_key=idempotency_key), {})


def imports(body: dict, *, idempotency_key: str) -> TelnyxResponse:
    """Import from another provider; `.data` is the list of imported assistants."""
    return unwrapped(client().post(api_path(*BASE, "import"), json=body, idempotency_key=idempotency_key), [])


@dataclass
class DeletedPage:
    """One page of Telnyx's "Recently deleted" listing."""

    items: list[dict]
    number: int
    total_pages: int
    total: int


def list_deleted(*, page: int, page_size: int) -> DeletedPage:
    body = client().get(api_path(*BASE, "deleted"), params={"page[number]": page, "page[size]": page_size}).data or {}
    meta = body.get("meta") or {}
    return DeletedPage(items=unwrap(body, []), number=int(meta.get("page_number") or page),
                       total_pages=int(meta.get("total_pages") or 1), total=int(meta.get("total_results") or 0))


def restore(assistant_id: str, *, idempotency_key: str | None = None) -> TelnyxResponse:
    return unwrapped(client().post(api_path(*BASE, assistant_id, "restore"), idempotency_key=idempotency_key), {})


def get_texml(assistant_id: str) -> str:
    """The TeXML document that connects a call to the assistant."""
    return str(client().get(api_path(*BASE, assistant_id, "texml"), accept="text/plain").data or "")


def enhance_instructions(assistant_id: str, body: dict) -> str:
    """Improved instructions from Telnyx's LLM (streamed text/plain, read whole here)."""
    return str(client().post(api_path(*BASE, assistant_id, "instructions", "enhance"), json=body,
                             accept="text/plain").data or "")
