"""`/ai/embeddings`: embedding tasks, AI-enabled buckets, URL embedding and similarity search
(SDK: resources/ai/embeddings/embeddings.py and buckets.py)."""

from __future__ import annotations

from typing import Any, Mapping

from ..client import TelnyxResponse
from ._base import api_path, client, unwrap, unwrapped

BASE = ("ai", "embeddings")


# --- Embedding tasks ------------------------------------------------------------------------
def list_tasks(*, params: Mapping[str, Any] | None = None) -> list[dict]:
    """The account's embedding tasks (`status` filters; Telnyx defaults to unfinished ones)."""
    return unwrap(client().get(api_path(*BASE), params=params).data, [])


def retrieve_task(task_id: str) -> dict:
    return unwrap(client().get(api_path(*BASE, task_id)).data, {})


def create(body: dict, *, idempotency_key: str) -> TelnyxResponse:
    """Start embedding a bucket's files; `.data` is the new task."""
    return unwrapped(client().post(api_path(*BASE), json=body, idempotency_key=idempotency_key), {})


def url(body: dict, *, idempotency_key: str) -> TelnyxResponse:
    """Fetch a web page into a bucket and embed it; `.data` is the new task."""
    return unwrapped(client().post(api_path(*BASE, "url"), json=body, idempotency_key=idempotency_key), {})


def similarity_search(body: dict) -> list[dict]:
    """The chunks closest to `body["query"]` (a read sent as POST)."""
    return unwrap(client().post(api_path(*BASE, "similarity-search"), json=body).data, [])


# --- Buckets --------------------------------------------------------------------------------
def list_buckets() -> list[str]:
    """The names of the buckets enabled for AI."""
    return unwrap(client().get(api_path(*BASE, "buckets")).data, {}).get("buckets") or []


def retrieve_bucket(bucket_name: str) -> list[dict]:
    """The bucket's files with their embedding statuses."""
    return unwrap(client().get(api_path(*BASE, "buckets", bucket_name)).data, [])


def delete_bucket(bucket_name: str) -> TelnyxResponse:
    """Disable AI for the bucket: its embeddings are dropped, its files stay."""
    return client().delete(api_path(*BASE, "buckets", bucket_name))
