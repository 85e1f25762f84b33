"""Inference reads, from the cache only (no HTTP). A form that needs the catalogue synced
first calls `services.ensure_models_cached()`."""

from __future__ import annotations

from django.db.models import QuerySet

from core.changelist import kept
from knowledge.selectors import buckets

from .models import FineTuningJob, LanguageModel


def model_choices() -> list[tuple[str, str]]:
    """(id, label) pairs for a model select, recommended models first."""
    models = LanguageModel.objects.order_by("-recommended_for_assistants", "telnyx_id")
    return [(m.telnyx_id, f"{m.telnyx_id} ★" if m.recommended_for_assistants else m.telnyx_id) for m in models]


def fine_tunable_model_choices() -> list[tuple[str, str]]:
    return [(m.telnyx_id, m.telnyx_id) for m in LanguageModel.objects.order_by("telnyx_id")
            if m.payload.get("is_fine_tunable")]


def language_models() -> QuerySet[LanguageModel]:
    return LanguageModel.objects.all()


def language_model(model_id: str) -> LanguageModel | None:
    return LanguageModel.objects.filter(telnyx_id=model_id).first()


def model_organizations() -> list[str]:
    return LanguageModel.values_in_use("organization")


def model_tiers() -> list[str]:
    return LanguageModel.values_in_use("tier")


def fine_tuning_jobs() -> QuerySet[FineTuningJob]:
    return FineTuningJob.objects.all()


def fine_tuning_job_statuses() -> list[str]:
    """The statuses cached jobs are in, for the list's filter (kept until the jobs change)."""
    return kept("fine_tuning_jobs", "status-choices", lambda: list(
        FineTuningJob.objects.order_by("status").values_list("status", flat=True).distinct()), FineTuningJob)


def fine_tuning_job_models() -> list[str]:
    return kept("fine_tuning_jobs", "model-choices", lambda: FineTuningJob.values_in_use("model"), FineTuningJob)


def fine_tuning_job(job_id: str) -> FineTuningJob | None:
    return FineTuningJob.objects.filter(telnyx_id=job_id).first()


def training_file_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Training data a job can use, grouped by bucket: a whole bucket or one file of it
    (Telnyx takes `bucket` or `bucket/filename`). From the knowledge app's bucket cache."""
    groups = []
    for bucket in buckets():
        files = [f.get("filename") for f in (bucket.payload.get("files") or []) if f.get("filename")]
        options = [(bucket.telnyx_id, f"{bucket.telnyx_id} (all {len(files)} file{'s' if len(files) != 1 else ''})")]
        options += [(f"{bucket.telnyx_id}/{name}", f"{bucket.telnyx_id}/{name}") for name in files]
        groups.append((bucket.telnyx_id, options))
    return groups
