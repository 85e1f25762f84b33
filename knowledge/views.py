"""Knowledge pages: buckets and their embeddings, similarity search, summaries, clusters."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.changelist import ChangelistSpec, Column
from core.confirm import confirm_page
from core.export import ExportColumn
from core.forms import form_page
from core.htmx import render_polled
from core.live import LiveOrCached, current_or_last_known, live_or_cached
from knowledge import selectors, services
from knowledge.forms import BucketFilterForm, ClusterFilterForm, ClusterForm, EmbedForm, EmbedUrlForm, SearchForm, SummarizeForm, TaskFilterForm
from portal.roles import admin_required, operate_required, read_required
from portal.telnyx import TelnyxError

BUCKET_COLUMNS = [Column("name", "Bucket", "telnyx_id"), Column("files", "Files", "file_count"),
                  Column("failed", "Failed", "failed_count"), Column("embedded", "Last embedded", "last_embedded_at")]
TASK_COLUMNS = [Column("created", "Started", "created_at"), Column("bucket", "Bucket", "bucket"),
                Column("status", "Status", "status")]


def _bucket_choices() -> dict:
    return {"buckets": selectors.bucket_names()}


BUCKET_EXPORT = [ExportColumn("Bucket", "telnyx_id"), ExportColumn("Files", "file_count"),
                 ExportColumn("Failed", "failed_count"), ExportColumn("Last embedded", "last_embedded_at")]
TASK_EXPORT = [ExportColumn("Task id", "telnyx_id"), ExportColumn("Bucket", "bucket"),
               ExportColumn("Task", "task_name"), ExportColumn("Status", "status"),
               ExportColumn("Started", "created_at"), ExportColumn("Finished", "finished_at")]
CLUSTER_EXPORT = [ExportColumn("Task id", "telnyx_id"), ExportColumn("Bucket", "bucket"),
                  ExportColumn("Status", "status"), ExportColumn("Minimum cluster size", "min_cluster_size"),
                  ExportColumn("Started", "created_at"), ExportColumn("Finished", "finished_at")]


BUCKETS = ChangelistSpec(
    template="knowledge/bucket_list.html", queryset=selectors.buckets, form_class=BucketFilterForm,
    columns=BUCKET_COLUMNS, default_sort="name", resource=services.BUCKETS, remember_as="knowledge-buckets", exports=BUCKET_EXPORT,
    list_url="knowledge:bucket-list", sync=services.buckets_sync,
)
EMBEDDING_TASKS = ChangelistSpec(
    template="knowledge/task_list.html", queryset=selectors.embedding_tasks, form_class=TaskFilterForm,
    columns=TASK_COLUMNS, default_sort="-created", resource=services.EMBEDDING_TASKS, remember_as="knowledge-tasks", exports=TASK_EXPORT,
    list_url="knowledge:task-list", sync=services.embedding_tasks_sync, form_kwargs=_bucket_choices,
)
CLUSTERS = ChangelistSpec(
    template="knowledge/cluster_list.html", queryset=selectors.cluster_tasks, form_class=ClusterFilterForm,
    columns=TASK_COLUMNS, default_sort="-created", resource=services.CLUSTERS, remember_as="knowledge-clusters", exports=CLUSTER_EXPORT,
    list_url="knowledge:cluster-list", sync=services.clusters_sync, form_kwargs=_bucket_choices,
)


bucket_list, bucket_refresh = BUCKETS.views(read_required)


@require_GET
@read_required
def bucket_detail(request: HttpRequest, name: str) -> HttpResponse:
    disabled = selectors.ai_disabled_bucket(name)
    if disabled is not None:
        # Telnyx no longer has it for AI (its files stay in storage): say so, offer to embed it again.
        result = LiveOrCached(data=disabled.payload)
    else:
        result = live_or_cached(lambda: services.bucket_fetch(user=request.user, name=name),
                                lambda: selectors.cached_bucket(name))
    return render(request, "knowledge/bucket_detail.html", {
        "name": name, "result": result, "files": result.data.get("files") or [], "disabled": disabled,
        "tasks": selectors.recent_tasks_for_bucket(name),
        "embed_form": EmbedForm(), "url_form": EmbedUrlForm(),
        "summarize_form": SummarizeForm(filenames=[f.get("filename") for f in result.data.get("files") or []]),
    })


EMBED_TEMPLATE = "knowledge/bucket_embed.html"


def _task_detail(task) -> str:
    return reverse("knowledge:task-detail", args=[task.telnyx_id])


def _known_bucket(name: str) -> None:
    """Writes act only on buckets the portal has listed: a name made up in the URL (`kb?`,
    `..kb`) is a 404, never a Telnyx call on a bucket nobody chose."""
    if not selectors.is_known_bucket(name):
        raise Http404("No such bucket")


@require_POST
@operate_required
def bucket_embed(request: HttpRequest, name: str) -> HttpResponse:
    _known_bucket(name)
    form = EmbedForm(request.POST)
    return form_page(request, form, EMBED_TEMPLATE, {"name": name}, save=lambda: services.bucket_embed(
        user=request.user, bucket=name, options=form.options(), idempotency_key=form.cleaned_data["idempotency_key"]),
        message=lambda _: f"Embedding of “{name}” started.", then=_task_detail)


@require_POST
@operate_required
def bucket_embed_url(request: HttpRequest, name: str) -> HttpResponse:
    _known_bucket(name)
    form = EmbedUrlForm(request.POST)
    return form_page(request, form, EMBED_TEMPLATE, {"name": name, "url_form": True}, save=lambda: services.bucket_embed_url(
        user=request.user, bucket=name, url=form.cleaned_data["url"], idempotency_key=form.cleaned_data["idempotency_key"]),
        message=lambda _: f"Embedding of {form.cleaned_data['url']} started.", then=_task_detail, field_map={"url": "url"})


@require_POST
@read_required
def bucket_summarize(request: HttpRequest, name: str) -> HttpResponse:
    """Summarize one file; answers with the summary fragment (a read, open to Viewers)."""
    _known_bucket(name)
    form = SummarizeForm(request.POST, filenames=selectors.bucket_filenames(name))
    summary, error = "", None
    if form.is_valid():
        try:
            summary = services.summarize(user=request.user, bucket=name, filename=form.cleaned_data["filename"],
                                         system_prompt=form.cleaned_data["system_prompt"])
        except TelnyxError as exc:
            error = exc
    return render(request, "knowledge/bucket_detail.html#summary",
                  {"name": name, "summarize_form": form, "summary": summary, "summary_error": error})


@require_http_methods(["GET", "POST"])
@admin_required
def bucket_disable(request: HttpRequest, name: str) -> HttpResponse:
    _known_bucket(name)
    return confirm_page(
        request, "knowledge/bucket_confirm_disable.html", {"name": name},
        act=lambda: services.bucket_disable(user=request.user, bucket=name),
        done=f"AI is disabled for bucket “{name}”; its embeddings are gone, its files stay.",
        failed=f"Could not disable AI for “{name}”.", then=reverse("knowledge:bucket-list"))


task_list, task_refresh = EMBEDDING_TASKS.views(read_required)


@require_GET
@read_required
def task_detail(request: HttpRequest, task_id: str) -> HttpResponse:
    """The task page; its status fragment polls Telnyx until the task is final."""
    task, error = current_or_last_known(
        lambda: services.embedding_task_fetch(user=request.user, task_id=task_id),
        lambda: selectors.embedding_task(task_id),
    )
    counts = services.bucket_file_counts(user=request.user, bucket=task.bucket)
    return render_polled(request, "knowledge/task_detail.html", {"task": task, "error": error, "file_counts": counts},
                         final=task.is_final)


@require_GET
@read_required
def search(request: HttpRequest) -> HttpResponse:
    """Similarity search; a GET form, so a search can be bookmarked and shared."""
    buckets = selectors.bucket_names()
    form = SearchForm(request.GET or None, buckets=buckets)
    results, error = None, None
    if form.is_bound and form.is_valid():
        try:
            results = services.similarity_search(user=request.user, bucket=form.cleaned_data["bucket"],
                                                 query=form.cleaned_data["q"], num_of_docs=form.cleaned_data["num_of_docs"] or 5)
        except TelnyxError as exc:
            error = exc
    return render(request, "knowledge/search.html", {"form": form, "results": results, "error": error, "buckets": buckets})


cluster_list, cluster_refresh = CLUSTERS.views(read_required)


@require_http_methods(["GET", "POST"])
@operate_required
def cluster_compute(request: HttpRequest) -> HttpResponse:
    form = ClusterForm(request.POST or None, buckets=selectors.bucket_names(), initial={"bucket": request.GET.get("bucket")})
    return form_page(request, form, "knowledge/cluster_form.html", {}, save=lambda: services.cluster_compute(
        user=request.user, bucket=form.cleaned_data["bucket"], options=form.options(),
        idempotency_key=form.cleaned_data["idempotency_key"]),
        message=lambda task: f"Clustering of “{task.bucket}” started.",
        then=lambda task: reverse("knowledge:cluster-detail", args=[task.telnyx_id]))


@require_GET
@read_required
def cluster_detail(request: HttpRequest, task_id: str) -> HttpResponse:
    task, data = services.cluster_fetch(user=request.user, task_id=task_id)
    clusters = services.with_documents(data.get("clusters") or [])
    selected = next((c for c in clusters if c.get("cluster_id") == request.GET.get("cluster")), None)
    return render_polled(request, "knowledge/cluster_detail.html",
                         {"task": task, "clusters": clusters, "selected": selected,
                          "chunk_count": sum(c.get("total_number_of_nodes") or 0 for c in clusters),
                          "document_count": len({f for c in clusters for f in c["documents"]})},
                         final=task.is_final, fragment="result")


@require_GET
@read_required
def cluster_graph(request: HttpRequest, task_id: str) -> HttpResponse:
    """The graph image, fetched with the API key server-side (the browser never sees it)."""
    png = services.cluster_graph(user=request.user, task_id=task_id, cluster_id=request.GET.get("cluster_id", ""))
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_http_methods(["GET", "POST"])
@admin_required
def cluster_delete(request: HttpRequest, task_id: str) -> HttpResponse:
    return confirm_page(
        request, "knowledge/cluster_confirm_delete.html", {"task": selectors.cluster_task(task_id), "task_id": task_id},
        act=lambda: services.cluster_delete(user=request.user, task_id=task_id),
        done="Deleted the cluster task.", failed="Could not delete the cluster task.",
        then=reverse("knowledge:cluster-list"))
