from django.db import models

from core.models import CachedTask, TelnyxCached
from core.progress import JobProgress, job_progress


class Bucket(TelnyxCached):
    """Cached storage bucket enabled for AI (`telnyx_id` is its name), with its files' embedding statuses
    in `payload` (`{"files": [...]}` from `GET .../buckets/{name}`)."""

    TELNYX_ID_KIND = "str"  # a bucket name, in URLs as <str:name> (core.skips)

    file_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    last_embedded_at = models.DateTimeField(null=True, blank=True)
    #: Set when AI was disabled from this portal: Telnyx no longer lists the bucket, but its
    #: files stay in storage, so it stays listed (and can be embedded again) until it is.
    ai_disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["telnyx_id"]

    def __str__(self) -> str:
        return self.telnyx_id


class EmbeddingTask(CachedTask):
    """Cached embedding task (`GET /ai/embeddings`)."""

    FINAL = ("success", "failure", "partial_success", "failed")

    bucket = models.CharField(max_length=200, blank=True, db_index=True)
    task_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=30, db_index=True)
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def progress(self) -> JobProgress:
        return job_progress(self.status, running=[("queued", "Queued"), ("processing", "Embedding files")],
                            outcomes={"success": "Embedded", "partial_success": "Partly embedded",
                                      "failure": "Failed", "failed": "Failed"},
                            failed=("failure", "failed", "partial_success"),
                            started=self.created_at, finished=self.finished_at)


class ClusterTask(CachedTask):
    """Cached clustering task (`GET /ai/clusters`)."""

    FINAL = ("completed", "failed")

    bucket = models.CharField(max_length=200, blank=True, db_index=True)
    status = models.CharField(max_length=30, db_index=True)
    min_cluster_size = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def progress(self) -> JobProgress:
        return job_progress(self.status, running=[("pending", "Pending"), ("starting", "Starting"), ("running", "Clustering")],
                            outcomes={"completed": "Completed", "failed": "Failed"}, failed=("failed",),
                            started=self.created_at, finished=self.finished_at)
