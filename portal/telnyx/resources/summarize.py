"""`/ai/summarize`: a summary of one file of a bucket (SDK: resources/ai/ai.py `summarize`)."""

from __future__ import annotations

from ._base import api_path, client, unwrap


def summarize(body: dict) -> str:
    """The summary text (a read sent as POST)."""
    return unwrap(client().post(api_path("ai", "summarize"), json=body).data, {}).get("summary", "")
