"""Inference domain reads, from the cache only."""

from __future__ import annotations

from core.sync import is_stale, sync_state, wait_for_running_sync

from .models import LanguageModel
from .services import MODELS_RESOURCE, models_sync


def model_choices(*, refresh_if_stale: bool = True) -> list[tuple[str, str]]:
    """(id, label) pairs for a model select, recommended models first.

    Syncs the catalogue first when it was never synced or is stale; if Telnyx cannot be
    reached, the cached catalogue (possibly empty) is used as it is.
    """
    if refresh_if_stale and is_stale(sync_state(MODELS_RESOURCE)):
        outcome = models_sync()
        if not outcome.ran and not LanguageModel.objects.exists():
            # Another request is syncing the catalogue right now: wait for it rather than
            # offer an empty list.
            wait_for_running_sync(MODELS_RESOURCE)
    models = LanguageModel.objects.order_by("-recommended_for_assistants", "telnyx_id")
    return [(m.telnyx_id, f"{m.telnyx_id} ★" if m.recommended_for_assistants else m.telnyx_id) for m in models]


def model_organizations() -> list[str]:
    return list(LanguageModel.objects.exclude(organization="").order_by("organization").values_list("organization", flat=True).distinct())


def model_tiers() -> list[str]:
    return list(LanguageModel.objects.exclude(tier="").order_by("tier").values_list("tier", flat=True).distinct())
