"""Fine-tuning jobs: queued → running → succeeded (or failed when there is nothing to train
on); cancel works until the job is final. Timestamps are Unix seconds."""

from __future__ import annotations

from sandbox.api import ApiError, get_or_not_found, new_id, now
from sandbox.behaviour import async_progress
from sandbox.behaviour.text_vectors import estimate_tokens
from sandbox.models import SbDocument, SbFineTuningJob

ORGANIZATION_ID = "org-sandbox"
DEFAULT_EPOCHS = 3
FINAL = ("succeeded", "failed", "cancelled")


def get_job(job_id: str) -> SbFineTuningJob:
    return get_or_not_found(SbFineTuningJob, job_id, "Fine-tuning job")


def status(job: SbFineTuningJob) -> str:
    if job.cancelled_at:
        return "cancelled"
    return async_progress.phase(job.created_at, job.duration_s, [(0.2, "queued"), (1.0, "running")],
                                final="failed" if job.will_fail else "succeeded")


def training_tokens(training_file: str) -> int:
    """Rough token count of the training data: ``bucket`` or ``bucket/object`` ."""
    bucket, _, name = training_file.partition("/")
    documents = SbDocument.objects.filter(bucket_id=bucket)
    if name:
        documents = documents.filter(filename=name)
    return sum(estimate_tokens(text) for text in documents.values_list("text", flat=True))


def create(*, model: str, training_file: str, n_epochs: int = DEFAULT_EPOCHS, suffix: str = "",
           created_at=None, is_demo: bool = False) -> SbFineTuningJob:
    tokens = training_tokens(training_file)
    return SbFineTuningJob.objects.create(
        id=new_id("ftjob-"), model=model, training_file=training_file, n_epochs=n_epochs, suffix=suffix,
        created_at=created_at or now(), duration_s=async_progress.task_duration(),
        will_fail=tokens == 0, trained_tokens=tokens * n_epochs, is_demo=is_demo)


def cancel(job: SbFineTuningJob) -> SbFineTuningJob:
    current = status(job)
    if current in FINAL:
        raise ApiError(400, f"The job is already {current} and cannot be cancelled.")
    job.cancelled_at = now()
    job.save(update_fields=["cancelled_at"])
    return job


def job_json(job: SbFineTuningJob) -> dict:
    current = status(job)
    if current == "cancelled":
        ended = job.cancelled_at
    elif current in FINAL:
        ended = async_progress.finished_at(job.created_at, job.duration_s)
    else:
        ended = None
    return {
        "id": job.id,
        "object": "fine_tuning.job",
        "created_at": int(job.created_at.timestamp()),
        "finished_at": int(ended.timestamp()) if ended else None,
        "hyperparameters": {"n_epochs": job.n_epochs},
        "model": job.model,
        "organization_id": ORGANIZATION_ID,
        "status": current,
        "trained_tokens": job.trained_tokens if current == "succeeded" else None,
        "training_file": job.training_file,
        "suffix": job.suffix or None,
    }
