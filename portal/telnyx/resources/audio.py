"""`/ai/audio/transcriptions`: speech to text (SDK: resources/ai/audio.py `transcribe`)."""

from __future__ import annotations

from typing import Any

from ._base import api_path, client


def transcribe(fields: dict, *, files: Any = None) -> dict:
    """The transcription (`text`, optional `segments`); sent multipart, as the API requires."""
    return client().request("POST", api_path("ai", "audio", "transcriptions"), data=fields, files=files).data or {}
