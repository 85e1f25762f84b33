"""Knowledge's background work: bucket, embedding and clustering listings sync on the worker,
and the sweep re-reads embeddings and clusterings until each one is final."""

from core.background import register_listing
from knowledge import services
from knowledge.models import ClusterTask, EmbeddingTask

register_listing(services.BUCKETS, services.buckets_sync)
register_listing(services.EMBEDDING_TASKS, services.embedding_tasks_sync,
                 unfinished=lambda: EmbeddingTask.objects.exclude(status__in=EmbeddingTask.FINAL).exists())
register_listing(services.CLUSTERS, services.clusters_sync,
                 unfinished=lambda: ClusterTask.objects.exclude(status__in=ClusterTask.FINAL).exists())
