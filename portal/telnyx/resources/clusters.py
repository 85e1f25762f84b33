"""`/ai/clusters`: clustering a bucket's chunks, the tasks, their graphs (SDK: resources/ai/clusters.py)."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from ..client import TelnyxResponse
from ._base import api_path, client, unwrap, unwrapped

BASE = ("ai", "clusters")


def list_all(*, page_size: int = 100) -> Iterator[dict]:
    return client().paginate(api_path(*BASE), page_size=page_size)


def compute(body: dict, *, idempotency_key: str | None = None) -> TelnyxResponse:
    """Start clustering; `.data` holds the new `task_id`."""
    return unwrapped(client().post(api_path(*BASE), json=body, idempotency_key=idempotency_key), {})


def retrieve(task_id: str, *, params: Mapping[str, Any] | None = None) -> dict:
    """The task's status and, once computed, its clusters."""
    return unwrap(client().get(api_path(*BASE, task_id), params=params).data, {})


def fetch_graph(task_id: str, *, cluster_id: str = "") -> bytes:
    """The cluster graph as PNG bytes (one cluster's, with `cluster_id`)."""
    params = {"cluster_id": cluster_id} if cluster_id else None
    return client().get(api_path(*BASE, task_id, "graph"), params=params, accept="image/png").content


def delete(task_id: str) -> TelnyxResponse:
    return client().delete(api_path(*BASE, task_id))
