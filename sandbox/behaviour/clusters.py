"""Cluster tasks: computed from a bucket's embedded chunks when created, revealed once the
simulated work has finished (pending → starting → running → completed, or failed)."""

from __future__ import annotations

from sandbox.api import get_or_not_found, iso, new_id, now
from sandbox.behaviour import async_progress, embeddings
from sandbox.behaviour.clustering import cluster_passages
from sandbox.models import SbClusterTask

DEFAULT_MIN_CLUSTER_SIZE = 25
DEFAULT_MIN_SUBCLUSTER_SIZE = 5


def get_task(task_id: str) -> SbClusterTask:
    return get_or_not_found(SbClusterTask, task_id, "Cluster task")


def status(task: SbClusterTask) -> str:
    final = "failed" if task.error else "completed"
    return async_progress.phase(task.created_at, task.duration_s,
                                [(0.1, "pending"), (0.25, "starting"), (1.0, "running")], final=final)


def compute(bucket_name: str, *, files: list[str] | None = None, prefix: str = "",
            min_cluster_size: int = DEFAULT_MIN_CLUSTER_SIZE,
            min_subcluster_size: int = DEFAULT_MIN_SUBCLUSTER_SIZE, is_demo: bool = False) -> SbClusterTask:
    """Cluster the bucket's embedded chunks (restricted to ``files`` and ``prefix``)."""
    chunks = [p for p in embeddings.passages(bucket_name, files) if p.filename.startswith(prefix)]
    clusters = cluster_passages(chunks, min_cluster_size, min_subcluster_size)
    error = "" if clusters else "The bucket has no embedded documents matching the filters."
    return SbClusterTask.objects.create(
        id=new_id(), bucket_name=bucket_name, files=files or [], prefix=prefix,
        min_cluster_size=min_cluster_size, min_subcluster_size=min_subcluster_size,
        clusters=clusters, error=error, created_at=now(), duration_s=async_progress.task_duration(),
        is_demo=is_demo)


def summary_json(task: SbClusterTask) -> dict:
    """An item of the cluster list (``finished_at`` is required by the SDK, so an unfinished
    task shows when it is expected to finish)."""
    return {
        "task_id": task.id,
        "bucket": task.bucket_name,
        "status": status(task),
        "created_at": iso(task.created_at),
        "finished_at": iso(async_progress.finished_at(task.created_at, task.duration_s)),
        "min_cluster_size": task.min_cluster_size,
        "min_subcluster_size": task.min_subcluster_size,
    }


def trimmed(cluster: dict, top_n_nodes: int | None, show_subclusters: bool) -> dict:
    """A cluster as the retrieve endpoint shows it: nodes cut to ``top_n_nodes`` (they are
    stored most central first), sub-clusters only when asked for."""
    shown = dict(cluster)
    if top_n_nodes is not None:
        shown["nodes"] = cluster["nodes"][:top_n_nodes]
    if show_subclusters:
        shown["subclusters"] = [trimmed(s, top_n_nodes, True) for s in cluster.get("subclusters", [])]
    else:
        shown.pop("subclusters", None)
    return shown


def visible_clusters(task: SbClusterTask) -> list[dict]:
    """The clusters, once the task has completed (nothing before)."""
    return task.clusters if status(task) == "completed" else []
