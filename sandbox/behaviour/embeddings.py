"""Embedding tasks over buckets: creation, lazily derived statuses, per-file statuses and the
passages that similarity search, clustering and summaries may read."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from django.db import transaction

from sandbox.api import ApiError, get_or_not_found, new_id, not_found, now
from sandbox.behaviour import async_progress
from sandbox.behaviour.chunking import DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE, chunk_text
from sandbox.behaviour.text_search import Passage
from sandbox.models import SbBucket, SbDocument, SbEmbeddingTask

# Every sandbox caller is the same account.
SANDBOX_USER_ID = "5f1e9c00-0000-4000-8000-00000000b0b0"
DEFAULT_EMBEDDING_MODEL = "thenlper/gte-large"
STATUSES = ("queued", "processing", "success", "failure", "partial_success")
UNFINISHED = ("queued", "processing")


# --- lookups --------------------------------------------------------------------------------

def get_bucket(name: str, *, embedded: bool = False) -> SbBucket:
    """The bucket called ``name`` (with ``embedded=True``: only if AI use is on), else 404."""
    bucket = SbBucket.objects.filter(pk=name).first()
    if bucket is None or (embedded and not bucket.ai_enabled):
        raise not_found("Embedded bucket" if embedded else "Bucket", name)
    return bucket


def get_task(task_id: str) -> SbEmbeddingTask:
    return get_or_not_found(SbEmbeddingTask, task_id, "Embedding task")


# --- statuses -------------------------------------------------------------------------------

def failed_files(task: SbEmbeddingTask) -> dict[str, str]:
    """``{filename: reason}`` for the task's files that cannot be embedded."""
    rows = SbDocument.objects.filter(bucket_id=task.bucket_name, filename__in=task.filenames)
    reasons = {d.filename: d.fail_reason for d in rows if d.fail_reason}
    for missing in set(task.filenames) - {d.filename for d in rows}:
        reasons[missing] = "File no longer exists in the bucket."
    return reasons


def task_status(task: SbEmbeddingTask) -> str:
    """queued → processing → success, partial_success or failure (when every file failed)."""
    status = async_progress.phase(task.created_at, task.duration_s,
                                  [(0.25, "queued"), (1.0, "processing")], final="done")
    if status != "done":
        return status
    failures = len(failed_files(task)) if task.filenames else 0
    if not task.filenames or failures == len(task.filenames):
        return "failure"
    return "partial_success" if failures else "success"


def task_finished_at(task: SbEmbeddingTask):
    if async_progress.progress(task.created_at, task.duration_s) < 1.0:
        return None
    return async_progress.finished_at(task.created_at, task.duration_s)


def latest_tasks_by_file(bucket_name: str) -> dict[str, SbEmbeddingTask]:
    """For each file of the bucket, the newest task that embeds it."""
    latest = {}
    for task in SbEmbeddingTask.objects.filter(bucket_name=bucket_name).order_by("created_at", "id"):
        for filename in task.filenames:
            latest[filename] = task
    return latest


def file_statuses(bucket: SbBucket) -> list[dict]:
    """The SDK's bucket file entries: one per file that an embedding task has taken up."""
    latest = latest_tasks_by_file(bucket.name)
    entries = []
    for document in bucket.documents.filter(filename__in=list(latest)):
        task = latest[document.filename]
        status = async_progress.phase(task.created_at, task.duration_s,
                                      [(0.25, "pending"), (1.0, "processing")], final="done")
        entry = {"created_at": document.created_at, "filename": document.filename,
                 "updated_at": document.updated_at, "last_embedded_at": None, "error_reason": None}
        if status != "done":
            entry["status"] = status
        elif document.fail_reason:
            entry.update(status="failed", error_reason=document.fail_reason)
        else:
            entry.update(status="success", last_embedded_at=task_finished_at(task))
        entries.append(entry)
    return entries


# --- reading embedded text ------------------------------------------------------------------

def embedded_documents(bucket_name: str, filenames: list[str] | None = None) -> list[tuple[SbDocument, SbEmbeddingTask]]:
    """Documents whose newest embedding has finished without error, with that task."""
    latest = latest_tasks_by_file(bucket_name)
    documents = SbDocument.objects.filter(bucket_id=bucket_name, filename__in=list(latest), fail_reason="")
    if filenames is not None:
        documents = documents.filter(filename__in=filenames)
    return [(d, latest[d.filename]) for d in documents
            if async_progress.progress(latest[d.filename].created_at, latest[d.filename].duration_s) >= 1.0]


def passages(bucket_name: str, filenames: list[str] | None = None) -> list[Passage]:
    """The bucket's embedded chunks, chunked as each document's embedding task said."""
    result = []
    for document, task in embedded_documents(bucket_name, filenames):
        size = task.options.get("document_chunk_size", DEFAULT_CHUNK_SIZE)
        overlap = task.options.get("document_chunk_overlap_size", DEFAULT_CHUNK_OVERLAP)
        for chunk in chunk_text(document.text, size, overlap):
            result.append(Passage(document.filename, chunk, document.source, document.loader_metadata))
    return result


def checksum(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


# --- writes ---------------------------------------------------------------------------------

def validate_chunking(options: dict) -> None:
    size = options.get("document_chunk_size", DEFAULT_CHUNK_SIZE)
    overlap = options.get("document_chunk_overlap_size", min(DEFAULT_CHUNK_OVERLAP, size // 2))
    if not 32 <= size <= 8192:
        raise ApiError(422, "Must be between 32 and 8192 characters.", pointer="/document_chunk_size")
    if not 0 <= overlap < size:
        raise ApiError(422, "Must be at least 0 and smaller than document_chunk_size.",
                       pointer="/document_chunk_overlap_size")


@transaction.atomic
def embed_bucket(bucket: SbBucket, options: dict, *, task_name: str = "embed_bucket",
                 filenames: list[str] | None = None, created_at=None, is_demo: bool = False) -> SbEmbeddingTask:
    """Start embedding the bucket's files (or just ``filenames``) and turn on its AI use."""
    if filenames is None:
        filenames = list(bucket.documents.values_list("filename", flat=True))
    options = {"embedding_model": DEFAULT_EMBEDDING_MODEL, "loader": "default", **options}
    size = options.setdefault("document_chunk_size", DEFAULT_CHUNK_SIZE)
    options.setdefault("document_chunk_overlap_size", min(DEFAULT_CHUNK_OVERLAP, size // 2))
    bucket.ai_enabled = True
    bucket.save(update_fields=["ai_enabled"])
    return SbEmbeddingTask.objects.create(
        id=new_id(), bucket_name=bucket.name, task_name=task_name, filenames=filenames, options=options,
        created_at=created_at or now(), duration_s=async_progress.task_duration(), is_demo=is_demo)


def disable_bucket(bucket: SbBucket) -> None:
    """Drop the bucket's embeddings (its tasks) and turn its AI use off; files stay in storage."""
    with transaction.atomic():
        SbEmbeddingTask.objects.filter(bucket_name=bucket.name).delete()
        bucket.ai_enabled = False
        bucket.save(update_fields=["ai_enabled"])


def _store(bucket: SbBucket, filename: str, text: str, *, source: str, at, reason: str = "",
           loader_metadata: dict | None = None) -> None:
    """Create or overwrite one file, keeping its original creation time."""
    fields = {"text": text, "fail_reason": reason, "source": source, "updated_at": at,
              "loader_metadata": loader_metadata or {}}
    SbDocument.objects.update_or_create(bucket=bucket, filename=filename, defaults=fields,
                                        create_defaults={**fields, "created_at": at})


def put_documents(bucket_name: str, files: dict, *, created_at=None, is_demo: bool = False) -> SbBucket:
    """Store files in a bucket (created if new), as a storage upload would. ``files`` maps
    names to text, or to ``(text, reason)`` for a file whose embedding must fail."""
    at = created_at or now()
    bucket, _ = SbBucket.objects.get_or_create(pk=bucket_name, defaults={"created_at": at, "is_demo": is_demo})
    for filename, content in files.items():
        text, reason = content if isinstance(content, tuple) else (content, "")
        _store(bucket, filename, text, reason=reason, at=at,
               source=f"https://us-central-1.telnyxstorage.com/{bucket_name}/{filename}")
    return bucket


# --- URLs -----------------------------------------------------------------------------------

def url_filename(url: str) -> str:
    """A storage-safe file name for a crawled URL."""
    parts = urlsplit(url)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{parts.netloc}{parts.path}".strip("/")) or "page"
    return name[:240] + ".html"


def synthetic_page(url: str) -> str:
    """Stand-in text for a web page: the sandbox never goes on the network, so the page is
    written from the words of its URL, stably for the same URL."""
    parts = urlsplit(url)
    words = [w for w in re.split(r"[^A-Za-z0-9]+", parts.path) if w and not w.isdigit() and w not in ("html", "htm")]
    topic = " ".join(words[-4:]).lower() or parts.netloc
    site = parts.netloc or "the site"
    digest = hashlib.sha256(url.encode()).digest()
    extras = [
        f"Customers often ask about {topic} when they first sign up.",
        f"Contact the {site} support team if the {topic} details here do not answer your question.",
        f"The {topic} guidance was last reviewed by the {site} documentation team.",
        f"See the related articles on {site} for more about {topic}.",
    ]
    chosen = [extras[b % len(extras)] for b in digest[:2]]
    return (f"{topic.title()}. This page on {site} explains {topic}. "
            + " ".join(dict.fromkeys(chosen)) + f" Source: {url}")


@transaction.atomic
def embed_url(bucket_name: str, url: str) -> SbEmbeddingTask:
    """Store a synthetic document for ``url`` in the bucket (created if new) and embed it."""
    at = now()
    bucket, _ = SbBucket.objects.get_or_create(pk=bucket_name, defaults={"created_at": at})
    filename = url_filename(url)
    _store(bucket, filename, synthetic_page(url), source=url, at=at, loader_metadata={"url": url})
    return embed_bucket(bucket, {}, task_name="embed_url", filenames=[filename])
