"""Inference domain writes: syncing the model catalogue into the cache."""

from __future__ import annotations

from portal.sync import SyncOutcome, replace_cache, run_sync
from portal.telnyx import get_client

from .models import LanguageModel

MODELS_RESOURCE = "models"
# The current path; the seeds' `/ai/models` is older (the sandbox serves both).
MODELS_PATH = "ai/openai/models"


def _model_fields(item: dict) -> dict:
    return {
        "telnyx_id": item["id"],
        "organization": str(item.get("organization") or item.get("owned_by") or "")[:100],
        "tier": str(item.get("tier") or "")[:20],
        "context_length": item.get("context_length") if isinstance(item.get("context_length"), int) else None,
        "recommended_for_assistants": bool(item.get("recommended_for_assistants")),
    }


def models_sync() -> SyncOutcome:
    """Replace the cached model catalogue with Telnyx's."""

    def fetch() -> list[dict]:
        return (get_client().get(MODELS_PATH).data or {}).get("data") or []

    return run_sync(MODELS_RESOURCE, fetch, lambda items: replace_cache(LanguageModel, items, _model_fields))
