"""Knowledge: storage buckets and their documents, embedding tasks and cluster tasks.

The sandbox has no storage API, so buckets and documents are put in place by the demo seed,
by ``POST /ai/embeddings/url`` (a synthetic document per URL) or directly by tests. Task
statuses are not stored: they are derived from ``created_at`` and ``duration_s`` when read
(see ``sandbox.behaviour.async_progress``).
"""

from django.db import models

from sandbox.models.base import SbTask


class SbBucket(models.Model):
    name = models.CharField(primary_key=True, max_length=100)
    created_at = models.DateTimeField()
    # True once an embedding task has been started for the bucket; DELETE clears it.
    ai_enabled = models.BooleanField(default=False)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SbDocument(models.Model):
    bucket = models.ForeignKey(SbBucket, on_delete=models.CASCADE, related_name="documents")
    filename = models.CharField(max_length=300)
    text = models.TextField()
    source = models.CharField(max_length=500)
    loader_metadata = models.JSONField(default=dict, blank=True)
    # Non-empty when embedding this file must fail (demo data: a scanned PDF, say).
    fail_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["filename"]
        constraints = [models.UniqueConstraint(fields=["bucket", "filename"], name="sb_document_unique")]

    def __str__(self):
        return f"{self.bucket_id}/{self.filename}"


class SbEmbeddingTask(SbTask):
    # A name, not a key: the task outlives a bucket whose AI use is disabled.
    bucket_name = models.CharField(max_length=100, db_index=True)
    task_name = models.CharField(max_length=100)
    filenames = models.JSONField(default=list)  # the files this task embeds
    options = models.JSONField(default=dict)  # chunk sizes, embedding_model, loader


class SbClusterTask(SbTask):
    bucket_name = models.CharField(max_length=100, db_index=True)
    files = models.JSONField(default=list)
    prefix = models.CharField(max_length=300, blank=True)
    min_cluster_size = models.PositiveIntegerField()
    min_subcluster_size = models.PositiveIntegerField()
    # Clusters are computed when the task is created and revealed once it has "completed";
    # ``error`` is set when there was nothing to cluster.
    clusters = models.JSONField(default=list)
    error = models.CharField(max_length=300, blank=True)
