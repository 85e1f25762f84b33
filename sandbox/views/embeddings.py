"""Embeddings: tasks (/ai/embeddings), buckets, similarity search and URL embedding."""

from sandbox.api import ApiError, Enum, iso, no_content, ok, validate
from sandbox.behaviour import embeddings as svc
from sandbox.behaviour.text_search import rank
from sandbox.models import SbBucket, SbEmbeddingTask

DEFAULT_NUM_OF_DOCS = 3
MAX_NUM_OF_DOCS = 100
# The seed documents (and the list docstring) say "failed"; the SDK enum says "failure".
STATUS_ALIASES = {"failed": "failure"}


def _task_json(task: SbEmbeddingTask, *, listing: bool = False) -> dict:
    item = {
        "task_id": task.id,
        "task_name": task.task_name,
        "status": svc.task_status(task),
        "created_at": iso(task.created_at),
        "finished_at": iso(svc.task_finished_at(task)),
    }
    if listing:
        item.update(user_id=svc.SANDBOX_USER_ID, bucket=task.bucket_name)
    return item


def _status_filter(request) -> set[str]:
    """``status`` may repeat or hold comma-separated values; the default is unfinished tasks."""
    raw = [part.strip() for value in request.GET.getlist("status") for part in value.split(",") if part.strip()]
    wanted = {STATUS_ALIASES.get(s, s) for s in raw} or set(svc.UNFINISHED)
    unknown = sorted(wanted - set(svc.STATUSES))
    if unknown:
        raise ApiError(422, f"Unknown status {', '.join(unknown)}; use {', '.join(svc.STATUSES)}.",
                       parameter="status")
    return wanted


def task_list(request):
    wanted = _status_filter(request)
    tasks = [t for t in SbEmbeddingTask.objects.all() if svc.task_status(t) in wanted]
    return ok({"data": [_task_json(t, listing=True) for t in tasks]})


def task_create(request):
    body = request.json
    validate(body, required={"bucket_name": str},
             optional={"document_chunk_size": int, "document_chunk_overlap_size": int,
                       "embedding_model": Enum("thenlper/gte-large", "intfloat/multilingual-e5-large"),
                       "loader": Enum("default", "intercom")})
    options = {k: body[k] for k in ("document_chunk_size", "document_chunk_overlap_size", "embedding_model",
                                    "loader") if body.get(k) is not None}
    svc.validate_chunking(options)
    task = svc.embed_bucket(svc.get_bucket(body["bucket_name"]), options)
    return ok({"data": {**_task_json(task), "user_id": svc.SANDBOX_USER_ID}})


def task_retrieve(request, task_id):
    return ok({"data": _task_json(svc.get_task(task_id))})


def bucket_list(request):
    names = SbBucket.objects.filter(ai_enabled=True).values_list("name", flat=True)
    return ok({"data": {"buckets": list(names)}})


def bucket_retrieve(request, bucket_name):
    entries = svc.file_statuses(svc.get_bucket(bucket_name, embedded=True))
    for entry in entries:
        for field in ("created_at", "updated_at", "last_embedded_at"):
            entry[field] = iso(entry[field])
    return ok({"data": entries})


def bucket_delete(request, bucket_name):
    svc.disable_bucket(svc.get_bucket(bucket_name, embedded=True))
    return no_content()


def similarity_search(request):
    body = request.json
    validate(body, required={"bucket_name": str, "query": str}, optional={"num_of_docs": int})
    limit = body.get("num_of_docs", DEFAULT_NUM_OF_DOCS)
    if not 1 <= limit <= MAX_NUM_OF_DOCS:
        raise ApiError(422, f"Must be between 1 and {MAX_NUM_OF_DOCS}.", pointer="/num_of_docs")
    bucket = svc.get_bucket(body["bucket_name"], embedded=True)
    passages = svc.passages(bucket.name)
    if not passages:
        raise ApiError(400, f"Bucket {bucket.name} has no embedded documents yet; wait for its embedding "
                            "task to finish.", pointer="/bucket_name")
    model = _embedding_model(bucket.name)
    return ok({"data": [{
        "distance": hit.distance,
        "document_chunk": hit.passage.text,
        "metadata": {
            "source": hit.passage.source,
            "checksum": svc.checksum(hit.passage.text),
            "embedding": model,
            "filename": hit.passage.filename,
            "certainty": round(hit.certainty, 6),
            "loader_metadata": hit.passage.loader_metadata or {},
        },
    } for hit in rank(body["query"], passages, limit)]})


def _embedding_model(bucket_name: str) -> str:
    task = SbEmbeddingTask.objects.filter(bucket_name=bucket_name).first()  # newest first
    return task.options.get("embedding_model", svc.DEFAULT_EMBEDDING_MODEL) if task else svc.DEFAULT_EMBEDDING_MODEL


def embed_url(request):
    body = request.json
    validate(body, required={"bucket_name": str, "url": str})
    if not body["url"].startswith(("http://", "https://")):
        raise ApiError(422, "Must be an http(s) URL.", pointer="/url")
    task = svc.embed_url(body["bucket_name"], body["url"])
    return ok({"data": {**_task_json(task), "user_id": svc.SANDBOX_USER_ID}})
