from django.db import models

from core.models import CachedTask, IdNamedCached


class Bucket(IdNamedCached):
    """Cached storage bucket enabled for AI (`telnyx_id` is its name), with its files' embedding statuses
    in `payload` (`{"files": [...]}` from `GET .../buckets/{name}`)."""

    TELNYX_ID_KIND = "str"  # a bucket name, in URLs as <str:name> (core.skips)

    file_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    last_embedded_at = models.DateTimeField(null=True, blank=True)
    #: Set when AI was disabled from this portal: Telnyx no longer lists the bucket, but its
    #: files stay in storage, so it stays listed (and can be embedded again) until it is.
    ai_disabled_at = models.DateTimeField(null=True, blank=True)


class EmbeddingTask(CachedTask):
    """Cached embedding task (`GET /ai/embeddings`)."""

    RUNNING = (("queued", "Queued"), ("processing", "Embedding files"))
    OUTCOMES = {"success": "Embedded", "partial_success": "Partly embedded", "failure": "Failed", "failed": "Failed"}
    FAILED = ("failure", "failed", "partial_success")
    FINAL = ("success", "failure", "partial_success", "failed")

    bucket = models.CharField(max_length=200, blank=True, db_index=True)
    task_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=30, db_index=True)


class ClusterTask(CachedTask):
    """Cached clustering task (`GET /ai/clusters`)."""

    RUNNING = (("pending", "Pending"), ("starting", "Starting"), ("running", "Clustering"))
    OUTCOMES = {"completed": "Completed", "failed": "Failed"}
    FAILED = ("failed",)
    FINAL = ("completed", "failed")

    bucket = models.CharField(max_length=200, blank=True, db_index=True)
    status = models.CharField(max_length=30, db_index=True)
    min_cluster_size = models.PositiveIntegerField(null=True, blank=True)
