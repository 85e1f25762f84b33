"""Knowledge writes and syncs: buckets, embedding tasks, clusters, search, summaries.

Operators trigger embeddings and clusters; admins disable a bucket or delete a cluster
task; everyone can search and read. Every Telnyx call goes through the resource layer and
every write through `core.writes.telnyx_write` (Telnyx first, then the cache and the audit).
"""

from __future__ import annotations

from datetime import datetime
from datetime import timezone as tz

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from core.cache import cache_delete, cache_put, cache_update
from core.sync import SyncOutcome, replace_cache, run_sync
from core.writes import telnyx_write
from portal.roles import ADMINISTER, OPERATE, READ, require_perm
from portal.telnyx import TelnyxError, new_idempotency_key
from portal.telnyx.dates import parse_date
from portal.telnyx.resources import clusters as clusters_api
from portal.telnyx.resources import embeddings as embeddings_api
from portal.telnyx.resources import summarize as summarize_api

from .models import Bucket, ClusterTask, EmbeddingTask

BUCKETS = "buckets"
EMBEDDING_TASKS = "embedding_tasks"
CLUSTERS = "clusters"
# The list defaults to unfinished tasks; the portal shows every state.
ALL_TASK_STATUSES = "queued,processing,success,failure,partial_success"
FAILED_FILE_STATUSES = ("failed", "failure", "error")
# What the cluster page asks for: sub-clusters, and a few sample chunks per cluster.
CLUSTER_DETAIL_PARAMS = {"show_subclusters": "true", "top_n_nodes": 5}


def _when(value):
    """Telnyx timestamps here are ISO strings or (fine-tuning style) Unix seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=tz.utc)
    return parse_date(value)


def bucket_fields(item: dict) -> dict:
    files = item.get("files") or []
    embedded = [f.get("last_embedded_at") for f in files if f.get("last_embedded_at")]
    return {
        "telnyx_id": item["id"],
        "file_count": len(files),
        "failed_count": sum(1 for f in files if str(f.get("status", "")).lower() in FAILED_FILE_STATUSES),
        "last_embedded_at": _when(max(embedded)) if embedded else None,
        "ai_disabled_at": None,  # Telnyx has it for AI (again)
    }


def embedding_task_fields(item: dict) -> dict:
    return {
        "telnyx_id": item["task_id"],
        "bucket": str(item.get("bucket") or "")[:200],
        "task_name": str(item.get("task_name") or "")[:200],
        "status": str(item.get("status") or "")[:30],
        "created_at": _when(item.get("created_at")),
        "finished_at": _when(item.get("finished_at")),
    }


def cluster_task_fields(item: dict) -> dict:
    return {
        "telnyx_id": item["task_id"],
        "bucket": str(item.get("bucket") or "")[:200],
        "status": str(item.get("status") or "")[:30],
        "min_cluster_size": item.get("min_cluster_size"),
        "created_at": _when(item.get("created_at")),
        "finished_at": _when(item.get("finished_at")),
    }


def _bucket_object(name: str) -> dict:
    return {"id": name, "files": embeddings_api.retrieve_bucket(name)}


# --- Syncs ------------------------------------------------------------------------------------
def buckets_sync() -> SyncOutcome:
    """Replace the cached buckets (names, then each bucket's file statuses)."""
    return run_sync(BUCKETS, lambda: [_bucket_object(name) for name in embeddings_api.list_buckets()],
                    # A bucket AI was disabled for stays: Telnyx no longer lists it, its files remain.
                    lambda items: replace_cache(Bucket, items, bucket_fields, scope=Q(ai_disabled_at__isnull=True)))


def embedding_tasks_sync() -> SyncOutcome:
    return run_sync(EMBEDDING_TASKS, lambda: embeddings_api.list_tasks(params={"status": ALL_TASK_STATUSES}),
                    lambda items: replace_cache(EmbeddingTask, items, embedding_task_fields))


def clusters_sync() -> SyncOutcome:
    return run_sync(CLUSTERS, lambda: list(clusters_api.list_all()),
                    lambda items: replace_cache(ClusterTask, items, cluster_task_fields))


# --- Reads --------------------------------------------------------------------------------------
def bucket_fetch(*, user: User, name: str) -> dict:
    """One bucket's files live from Telnyx (cached as they come)."""
    require_perm(user, READ)
    item = _bucket_object(name)
    cache_put(Bucket, item, bucket_fields)
    return item


def embedding_task_fetch(*, user: User, task_id: str) -> EmbeddingTask:
    """The task's current state from Telnyx, written to the cache. Telnyx's answer has no
    bucket, so the cached one (from the list or the create) is kept."""
    require_perm(user, READ)
    data = embeddings_api.retrieve_task(task_id)
    cached = EmbeddingTask.objects.filter(telnyx_id=task_id).first()
    return cache_put(EmbeddingTask, {**(cached.payload if cached else {}), **data, "task_id": task_id},
                     embedding_task_fields)


def bucket_file_counts(*, user: User, bucket: str) -> dict | None:
    """How many of the bucket's files are embedded, in progress and failed: what Telnyx reports
    of an embedding task's progress. Live, else the cached bucket; None when neither is known."""
    from core.live import live_or_cached

    from .selectors import cached_bucket

    if not bucket:
        return None
    try:
        result = live_or_cached(lambda: bucket_fetch(user=user, name=bucket), lambda: cached_bucket(bucket))
    except TelnyxError:
        return None
    statuses = [str(f.get("status", "")).lower() for f in result.data.get("files") or []]
    failed = sum(1 for s in statuses if s in FAILED_FILE_STATUSES)
    success = statuses.count("success")
    return {"success": success, "failed": failed, "in_progress": len(statuses) - success - failed,
            "from_cache": result.from_cache}


def similarity_search(*, user: User, bucket: str, query: str, num_of_docs: int) -> list[dict]:
    """The bucket's chunks closest to `query`, closest first (a read: no audit)."""
    require_perm(user, READ)
    results = embeddings_api.similarity_search({"bucket_name": bucket, "query": query, "num_of_docs": num_of_docs})
    ranked = sorted(results, key=lambda r: r.get("distance", 1))
    # Telnyx reports cosine distance (lower is closer); people read similarity more easily.
    return [{**r, "similarity": max(0.0, 1 - float(r.get("distance", 1))) * 100} for r in ranked]


def summarize(*, user: User, bucket: str, filename: str, system_prompt: str = "") -> str:
    """A summary of one file of a bucket (a read: no audit)."""
    require_perm(user, READ)
    body = {"bucket": bucket, "filename": filename, **({"system_prompt": system_prompt} if system_prompt else {})}
    return summarize_api.summarize(body)


def cluster_fetch(*, user: User, task_id: str) -> tuple[ClusterTask, dict]:
    """The cluster task's state and clusters from Telnyx; the cached row is updated."""
    require_perm(user, READ)
    data = clusters_api.retrieve(task_id, params=CLUSTER_DETAIL_PARAMS)
    cached = ClusterTask.objects.filter(telnyx_id=task_id).first()
    item = {**(cached.payload if cached else {}), "task_id": task_id,
            "bucket": data.get("bucket") or (cached.bucket if cached else ""), "status": data.get("status", "")}
    if item["status"] in ClusterTask.FINAL and not item.get("finished_at"):
        item["finished_at"] = timezone.now().isoformat()  # Telnyx does not say; first seen final
    return cache_put(ClusterTask, item, cluster_task_fields), data


def with_documents(clusters: list[dict]) -> list[dict]:
    """Each cluster (and sub-cluster) with `documents`: the files its sample chunks come from."""
    def annotate(cluster: dict) -> dict:
        subclusters = [annotate(c) for c in cluster.get("subclusters") or []]
        files = {n.get("filename") for n in cluster.get("nodes") or [] if n.get("filename")}
        files |= {f for c in subclusters for f in c["documents"]}
        return {**cluster, "subclusters": subclusters, "documents": sorted(files)}

    return [annotate(c) for c in clusters]


def cluster_graph(*, user: User, task_id: str, cluster_id: str = "") -> bytes:
    """The cluster graph as PNG bytes."""
    require_perm(user, READ)
    return clusters_api.fetch_graph(task_id, cluster_id=cluster_id)


# --- Writes -------------------------------------------------------------------------------------
def _store_task(bucket: str):
    """Cache the task Telnyx answered a create with (its bucket is the one we asked for)."""
    return lambda response: cache_put(EmbeddingTask, {**response.data, "bucket": response.data.get("bucket") or bucket},
                                      embedding_task_fields)


def _task_of(response) -> EmbeddingTask:
    return EmbeddingTask.objects.get(telnyx_id=response.data["task_id"])


def bucket_embed(*, user: User, bucket: str, options: dict, idempotency_key: str = "") -> EmbeddingTask:
    """Start embedding a bucket's files; returns the new task."""
    body = {"bucket_name": bucket, **{k: v for k, v in options.items() if v not in (None, "")}}
    return _embed(user, bucket, body, embeddings_api.create, idempotency_key, what=f"bucket “{bucket}”")


def bucket_embed_url(*, user: User, bucket: str, url: str, idempotency_key: str = "") -> EmbeddingTask:
    """Fetch and embed a web page into a bucket; returns the new task."""
    body = {"bucket_name": bucket, "url": url}
    return _embed(user, bucket, body, embeddings_api.url, idempotency_key, what=f"{url} into “{bucket}”")


def _embed(user: User, bucket: str, body: dict, start, idempotency_key: str, *, what: str) -> EmbeddingTask:
    """Start an embedding task (`start(body)`), audited on the bucket; returns the new task."""
    require_perm(user, OPERATE)
    response = telnyx_write(
        lambda: start(body, idempotency_key=idempotency_key or new_idempotency_key()),
        user=user, action="embed", resource_type="bucket", resource_id=bucket, label=bucket,
        summary=f"Started embedding {what}", failure_summary=f"Tried: Embed {what}",
        changes=body, store=_store_task(bucket),
    )
    return _task_of(response)


def bucket_disable(*, user: User, bucket: str) -> None:
    """Disable AI for a bucket: Telnyx drops its embeddings (the files themselves stay)."""
    require_perm(user, ADMINISTER)

    def forget(response) -> None:
        # The bucket stays listed, marked: the page says AI is off and offers to embed it again.
        cache_update(Bucket.objects.filter(telnyx_id=bucket), ai_disabled_at=timezone.now(), failed_count=0)
        cache_delete(EmbeddingTask.objects.filter(bucket=bucket))

    telnyx_write(
        lambda: embeddings_api.delete_bucket(bucket),
        user=user, action="delete", resource_type="bucket", resource_id=bucket, label=bucket,
        summary=f"Disabled AI for bucket “{bucket}”", failure_summary=f"Tried: Disable AI for bucket “{bucket}”",
        changes={}, store=forget,
    )


def cluster_compute(*, user: User, bucket: str, options: dict, idempotency_key: str = "") -> ClusterTask:
    """Start clustering a bucket's chunks; returns the new task."""
    require_perm(user, OPERATE)
    body = {"bucket": bucket, **{k: v for k, v in options.items() if v not in (None, "", [])}}

    def store(response) -> ClusterTask:
        return cache_put(ClusterTask, {"task_id": response.data.get("task_id"), "bucket": bucket, "status": "pending",
                                       "created_at": timezone.now().isoformat(),
                                       "min_cluster_size": body.get("min_cluster_size")}, cluster_task_fields)

    response = telnyx_write(
        lambda: clusters_api.compute(body, idempotency_key=idempotency_key or new_idempotency_key()),
        user=user, action="compute", resource_type="cluster", resource_id=lambda r: r.data.get("task_id", ""),
        label=bucket, summary=f"Started clustering bucket “{bucket}”",
        failure_summary=f"Tried: Cluster bucket “{bucket}”", changes=body, store=store,
    )
    return ClusterTask.objects.get(telnyx_id=response.data["task_id"])


def cluster_delete(*, user: User, task_id: str) -> None:
    require_perm(user, ADMINISTER)
    telnyx_write(
        lambda: clusters_api.delete(task_id),
        user=user, action="delete", resource_type="cluster", resource_id=task_id,
        summary="Deleted cluster task", failure_summary="Tried: Delete cluster task", changes={},
        store=lambda response: cache_delete(ClusterTask.objects.filter(telnyx_id=task_id)),
    )
