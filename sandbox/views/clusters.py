"""Clusters: compute for a bucket, list, retrieve, delete, and a PNG graph."""

from django.http import HttpResponse

from sandbox.api import ApiError, ListOf, no_content, ok, paginate, query_bool, validate
from sandbox.behaviour import cluster_graph, embeddings
from sandbox.behaviour import clusters as svc
from sandbox.models import SbClusterTask


def _query_count(request, name: str) -> int | None:
    raw = request.GET.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise ApiError(422, "Must be a non-negative integer.", parameter=name)
    return value


def cluster_list(request):
    return ok(paginate(request, SbClusterTask.objects.all(), svc.summary_json))


def cluster_compute(request):
    body = request.json
    validate(body, required={"bucket": str},
             optional={"files": ListOf(str), "min_cluster_size": int, "min_subcluster_size": int, "prefix": str})
    for field in ("min_cluster_size", "min_subcluster_size"):
        if body.get(field) is not None and body[field] < 1:
            raise ApiError(422, "Must be at least 1.", pointer=f"/{field}")
    embeddings.get_bucket(body["bucket"], embedded=True)
    task = svc.compute(body["bucket"], files=body.get("files"), prefix=body.get("prefix") or "",
                       min_cluster_size=body.get("min_cluster_size") or svc.DEFAULT_MIN_CLUSTER_SIZE,
                       min_subcluster_size=body.get("min_subcluster_size") or svc.DEFAULT_MIN_SUBCLUSTER_SIZE)
    return ok({"data": {"task_id": task.id}})


def cluster_retrieve(request, task_id):
    task = svc.get_task(task_id)
    top_n = _query_count(request, "top_n_nodes")
    show_subclusters = query_bool(request, "show_subclusters")
    clusters = [svc.trimmed(c, top_n, show_subclusters) for c in svc.visible_clusters(task)]
    return ok({"data": {"bucket": task.bucket_name, "status": svc.status(task), "clusters": clusters}})


def cluster_delete(request, task_id):
    svc.get_task(task_id).delete()
    return no_content()


def cluster_graph_png(request, task_id):
    task = svc.get_task(task_id)
    if svc.status(task) != "completed":
        raise ApiError(400, f"Cluster task {task_id} is {svc.status(task)}; the graph exists once it has completed.")
    clusters = svc.visible_clusters(task)
    wanted = _query_count(request, "cluster_id")
    if wanted is not None:
        clusters = [c for c in clusters if c["cluster_id"] == str(wanted)]
        if not clusters:
            raise ApiError(404, f"Cluster {wanted} not found in task {task_id}.", parameter="cluster_id")
    return HttpResponse(cluster_graph.render(clusters), content_type="image/png")
