"""`/ai/fine_tuning/jobs`: fine-tuning jobs (SDK: resources/ai/fine_tuning/jobs.py).

Jobs are answered bare (OpenAI's shape), the list inside `data`.
"""

from __future__ import annotations

from ..client import TelnyxResponse
from ._base import api_path, client, unwrap

BASE = ("ai", "fine_tuning", "jobs")


def list_jobs() -> list[dict]:
    return unwrap(client().get(api_path(*BASE)).data, [])


def retrieve(job_id: str) -> dict:
    return client().get(api_path(*BASE, job_id)).data or {}


def create(body: dict, *, idempotency_key: str) -> TelnyxResponse:
    return client().post(api_path(*BASE), json=body, idempotency_key=idempotency_key)


def cancel(job_id: str) -> TelnyxResponse:
    return client().post(api_path(*BASE, job_id, "cancel"))
