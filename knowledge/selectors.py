"""Knowledge reads, from the cache only (no HTTP)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from .models import Bucket, ClusterTask, EmbeddingTask


def buckets() -> QuerySet[Bucket]:
    return Bucket.objects.all()


def bucket_names() -> list[str]:
    return list(Bucket.objects.values_list("telnyx_id", flat=True))


def cached_bucket(name: str) -> tuple[dict, datetime] | None:
    """The cached bucket object and when it was cached, for a page whose live read failed."""
    row = Bucket.objects.filter(telnyx_id=name).first()
    return (row.payload, row.synced_at) if row else None


def ai_disabled_bucket(name: str) -> Bucket | None:
    """The cached bucket if AI was disabled for it from this portal (Telnyx no longer lists it)."""
    return Bucket.objects.filter(telnyx_id=name, ai_disabled_at__isnull=False).first()


def is_known_bucket(name: str) -> bool:
    return Bucket.objects.filter(telnyx_id=name).exists()


def bucket_filenames(name: str) -> list[str]:
    row = Bucket.objects.filter(telnyx_id=name).first()
    return [f.get("filename") for f in (row.payload.get("files") or [])] if row else []


def embedding_tasks() -> QuerySet[EmbeddingTask]:
    return EmbeddingTask.objects.all()


def embedding_task(task_id: str) -> EmbeddingTask | None:
    return EmbeddingTask.objects.filter(telnyx_id=task_id).first()


def recent_tasks_for_bucket(name: str, limit: int = 10) -> list[EmbeddingTask]:
    return list(EmbeddingTask.objects.filter(bucket=name)[:limit])


def cluster_tasks() -> QuerySet[ClusterTask]:
    return ClusterTask.objects.all()


def cluster_task(task_id: str) -> ClusterTask | None:
    return ClusterTask.objects.filter(telnyx_id=task_id).first()
