"""Knowledge writes and syncs: buckets, embedding tasks, clusters, search, summaries.

Operators trigger embeddings and clusters; admins disable a bucket or delete a cluster
task; everyone can search and read. Telnyx first, then the cache, then the audit log.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core import audit
from portal.roles import ADMINISTER, OPERATE, READ, require_perm
from core.sync import SyncOutcome, replace_cache, run_sync
from portal.telnyx import get_client, new_idempotency_key

from .models import Bucket, ClusterTask, EmbeddingTask

BUCKETS = "buckets"
EMBEDDING_TASKS = "embedding_tasks"
CLUSTERS = "clusters"
# The list defaults to unfinished tasks; the portal shows every state.
ALL_TASK_STATUSES = "queued,processing,success,failure,partial_success"


def _when(value):
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        from datetime import datetime, timezone as tz

        return datetime.fromtimestamp(value, tz=tz.utc)
    return parse_datetime(str(value))


def bucket_fields(item: dict) -> dict:
    files = item.get("files") or []
    embedded = [f.get("last_embedded_at") for f in files if f.get("last_embedded_at")]
    return {
        "telnyx_id": item["id"],
        "file_count": len(files),
        "failed_count": sum(1 for f in files if str(f.get("status", "")).lower() in ("failed", "failure", "error")),
        "last_embedded_at": _when(max(embedded)) if embedded else None,
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


def _bucket_object(client, name: str) -> dict:
    files = (client.get(f"ai/embeddings/buckets/{name}").data or {}).get("data") or []
    return {"id": name, "files": files}


def buckets_sync() -> SyncOutcome:
    """Replace the cached buckets (names, then each bucket's file statuses)."""

    def fetch() -> list[dict]:
        client = get_client()
        names = ((client.get("ai/embeddings/buckets").data or {}).get("data") or {}).get("buckets") or []
        return [_bucket_object(client, name) for name in names]

    return run_sync(BUCKETS, fetch, lambda items: replace_cache(Bucket, items, bucket_fields))


def embedding_tasks_sync() -> SyncOutcome:
    def fetch() -> list[dict]:
        return (get_client().get("ai/embeddings", params={"status": ALL_TASK_STATUSES}).data or {}).get("data") or []

    return run_sync(EMBEDDING_TASKS, fetch, lambda items: replace_cache(EmbeddingTask, items, embedding_task_fields))


def clusters_sync() -> SyncOutcome:
    def fetch() -> list[dict]:
        return list(get_client().paginate("ai/clusters", page_size=100))

    return run_sync(CLUSTERS, fetch, lambda items: replace_cache(ClusterTask, items, cluster_task_fields))


def _put(model, fields_of, item: dict):
    row, _ = model.objects.update_or_create(
        telnyx_id=fields_of(item)["telnyx_id"], defaults={**fields_of(item), "payload": item, "synced_at": timezone.now()}
    )
    return row


def bucket_fetch(*, user, name: str) -> dict:
    """One bucket's files live from Telnyx (cached as they come)."""
    require_perm(user, READ)
    item = _bucket_object(get_client(), name)
    _put(Bucket, bucket_fields, item)
    return item


def embedding_task_fetch(*, user, task_id: str) -> EmbeddingTask:
    """The task's current state from Telnyx, written to the cache."""
    require_perm(user, READ)
    data = (get_client().get(f"ai/embeddings/{task_id}").data or {}).get("data") or {}
    cached = EmbeddingTask.objects.filter(telnyx_id=task_id).first()
    item = {**(cached.payload if cached else {}), **data, "task_id": task_id}
    return _put(EmbeddingTask, embedding_task_fields, item)


def bucket_embed(*, user, bucket: str, options: dict, idempotency_key: str = "") -> EmbeddingTask:
    """Start embedding a bucket's files; returns the new task."""
    require_perm(user, OPERATE)
    body = {"bucket_name": bucket, **{k: v for k, v in options.items() if v not in (None, "")}}
    response = audit.audited_call(
        user=user, action="embed", resource_type="bucket", resource_id=bucket, summary=f"Embed bucket “{bucket}”",
        changes=body,
        call=lambda: get_client().post("ai/embeddings", json=body, idempotency_key=idempotency_key or new_idempotency_key()),
    )
    return _record_task(user, response, bucket, f"Started embedding bucket “{bucket}”", body)


def bucket_embed_url(*, user, bucket: str, url: str, idempotency_key: str = "") -> EmbeddingTask:
    """Fetch and embed a web page into a bucket; returns the new task."""
    require_perm(user, OPERATE)
    body = {"bucket_name": bucket, "url": url}
    response = audit.audited_call(
        user=user, action="embed", resource_type="bucket", resource_id=bucket, summary=f"Embed {url} into “{bucket}”",
        changes=body,
        call=lambda: get_client().post("ai/embeddings/url", json=body, idempotency_key=idempotency_key or new_idempotency_key()),
    )
    return _record_task(user, response, bucket, f"Started embedding {url} into “{bucket}”", body)


def _record_task(user, response, bucket: str, summary: str, body: dict) -> EmbeddingTask:
    data = (response.data or {}).get("data") or {}
    with transaction.atomic():
        task = _put(EmbeddingTask, embedding_task_fields, {**data, "bucket": data.get("bucket") or bucket})
        audit.record(user=user, action="embed", resource_type="bucket", resource_id=bucket, resource_label=bucket,
                     summary=f"{summary} (task {task.telnyx_id})", changes=body, response=response)
    return task


def bucket_disable(*, user, bucket: str) -> None:
    """Disable AI for a bucket: Telnyx drops its embeddings (the files themselves stay)."""
    require_perm(user, ADMINISTER)
    response = audit.audited_call(
        user=user, action="delete", resource_type="bucket", resource_id=bucket,
        summary=f"Disable AI for bucket “{bucket}”", changes={},
        call=lambda: get_client().delete(f"ai/embeddings/buckets/{bucket}"),
    )
    with transaction.atomic():
        Bucket.objects.filter(telnyx_id=bucket).delete()
        EmbeddingTask.objects.filter(bucket=bucket).delete()
        audit.record(user=user, action="delete", resource_type="bucket", resource_id=bucket, resource_label=bucket,
                     summary=f"Disabled AI for bucket “{bucket}”", response=response)


def similarity_search(*, user, bucket: str, query: str, num_of_docs: int) -> list[dict]:
    """The bucket's chunks closest to `query`, closest first (a read: no audit)."""
    require_perm(user, READ)
    body = {"bucket_name": bucket, "query": query, "num_of_docs": num_of_docs}
    results = (get_client().post("ai/embeddings/similarity-search", json=body).data or {}).get("data") or []
    return sorted(results, key=lambda r: r.get("distance", 1))


def summarize(*, user, bucket: str, filename: str, system_prompt: str = "") -> str:
    """A summary of one file of a bucket (a read: no audit)."""
    require_perm(user, READ)
    body = {"bucket": bucket, "filename": filename, **({"system_prompt": system_prompt} if system_prompt else {})}
    return ((get_client().post("ai/summarize", json=body).data or {}).get("data") or {}).get("summary", "")


def cluster_compute(*, user, bucket: str, options: dict, idempotency_key: str = "") -> ClusterTask:
    """Start clustering a bucket's chunks; returns the new task."""
    require_perm(user, OPERATE)
    body = {"bucket": bucket, **{k: v for k, v in options.items() if v not in (None, "", [])}}
    response = audit.audited_call(
        user=user, action="compute", resource_type="cluster", resource_id=bucket, summary=f"Cluster bucket “{bucket}”",
        changes=body, call=lambda: get_client().post("ai/clusters", json=body),
    )
    task_id = ((response.data or {}).get("data") or {}).get("task_id")
    item = {"task_id": task_id, "bucket": bucket, "status": "pending", "created_at": timezone.now().isoformat(),
            "min_cluster_size": body.get("min_cluster_size")}
    with transaction.atomic():
        task = _put(ClusterTask, cluster_task_fields, item)
        audit.record(user=user, action="compute", resource_type="cluster", resource_id=task_id, resource_label=bucket,
                     summary=f"Started clustering bucket “{bucket}”", changes=body, response=response)
    return task


def cluster_fetch(*, user, task_id: str) -> tuple[ClusterTask, dict]:
    """The cluster task's state and clusters from Telnyx; the cached row is updated."""
    require_perm(user, READ)
    data = (get_client().get(f"ai/clusters/{task_id}", params={"show_subclusters": "true", "top_n_nodes": 5}).data or {}).get("data") or {}
    cached = ClusterTask.objects.filter(telnyx_id=task_id).first()
    item = {**(cached.payload if cached else {}), "task_id": task_id, "bucket": data.get("bucket", ""), "status": data.get("status", "")}
    return _put(ClusterTask, cluster_task_fields, item), data


def cluster_graph(*, user, task_id: str, cluster_id: str = "") -> bytes:
    """The cluster graph as PNG bytes."""
    require_perm(user, READ)
    params = {"cluster_id": cluster_id} if cluster_id else None
    return get_client().get(f"ai/clusters/{task_id}/graph", params=params, accept="image/png").content


def cluster_delete(*, user, task_id: str) -> None:
    require_perm(user, ADMINISTER)
    response = audit.audited_call(
        user=user, action="delete", resource_type="cluster", resource_id=task_id, summary="Delete cluster task",
        changes={}, call=lambda: get_client().delete(f"ai/clusters/{task_id}"),
    )
    with transaction.atomic():
        ClusterTask.objects.filter(telnyx_id=task_id).delete()
        audit.record(user=user, action="delete", resource_type="cluster", resource_id=task_id,
                     summary="Deleted cluster task", response=response)
