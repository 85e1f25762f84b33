"""The tasks page (Admins): background tasks queued, running, failed, with Retry; and one
listing's sync state, which pages poll while the worker syncs what they show."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from console import selectors
from core import audit, waiting
from core.background import is_registered, listing_sync_active
from core.changelist import ChangelistSpec, Column, FilterForm
from core.sync import sync_state
from portal.celery import app
from portal.models import TaskRecord
from portal.roles import admin_required, read_required


class TaskListForm(FilterForm):
    """The task list is narrowed by its tabs, its by-task table and the idle toggle (state, kind,
    idle in the URL, read by the view), not by a search box."""


#: The view reads the tab, task and idle toggle; the spec pages and sorts (newest first) what they select.
TASKS = ChangelistSpec(template="console/task_list.html", queryset=lambda records: records, form_class=TaskListForm,
                       columns=[Column("queued", "Queued", "created_at")], default_sort="-queued")
# The tabs, in order: what each shows.
STATE_TABS = {
    "": ("All", list(TaskRecord.State.values)),
    "queued": ("Queued", [TaskRecord.State.QUEUED, TaskRecord.State.RETRYING]),
    "running": ("Running", [TaskRecord.State.RUNNING]),
    "failed": ("Failed", [TaskRecord.State.FAILED]),
}


def kind_label(name: str) -> str:
    """A task's name in words: its label with the arguments left out ("Sync … from Telnyx")."""
    task = app.tasks.get(name)
    template = getattr(task, "label", "") or ""
    if template:
        return re.sub(r"\{\d*\}", "…", template)
    return (getattr(task, "__doc__", "") or "").strip().split("\n")[0].rstrip(".") or name


@require_GET
@admin_required
def task_list(request: HttpRequest) -> HttpResponse:
    waiting.mark()  # the page of the worker's tasks: the banner says when none answers
    tab = request.GET.get("state", "")
    if tab not in STATE_TABS:
        tab = ""
    idle = request.GET.get("idle") == "1"
    groups = selectors.task_groups(idle=idle)
    kinds = {g["name"] for g in groups}
    kind = request.GET.get("kind", "")
    kind = kind if kind in kinds else ""
    records = selectors.task_records(STATE_TABS[tab][1], kind=kind, idle=idle)
    counts = selectors.task_counts({key: states for key, (_, states) in STATE_TABS.items()}, kind=kind, idle=idle)
    # Every link keeps the other filters: state, kind and idle travel together in the URL.
    keep = {"state": tab, "kind": kind, **({"idle": "1"} if idle else {})}
    tabs = [{"key": key, "label": label, "count": counts[key], "active": key == tab,
             "query": urlencode({**keep, "state": key})} for key, (label, _) in STATE_TABS.items()]
    for group in groups:
        group["label"] = kind_label(group["name"])
        group["query"] = urlencode({**keep, "kind": group["name"]})
    return TASKS.page(request, {
        "tabs": tabs, "tab": tab, "groups": groups, "kind": kind, "kind_label": kind_label(kind) if kind else "",
        "idle": idle, "idle_count": 0 if idle else selectors.idle_task_count(), "query": urlencode(keep),
        "all_kinds_query": urlencode({**keep, "kind": ""}), "idle_query": urlencode({**keep, "idle": "" if idle else "1"}),
        "skips": selectors.syncs_with_skips(), "empty": f"No {tab} tasks." if tab else "No tasks.",
    }, records)


@require_POST
@admin_required
def task_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a failed task again with the same arguments (a new task, recorded on its own)."""
    record = get_object_or_404(TaskRecord, pk=pk, state=TaskRecord.State.FAILED)
    task = app.tasks.get(record.name)
    if task is None:
        messages.error(request, f"“{record}” can no longer be retried: this version of the portal has no such task.")
    else:
        queued = task.apply_async(args=record.args, kwargs=record.kwargs)
        # The retry stands for this failure now: it leaves the Failed tab.
        record.mark_retried()
        audit.record(user=request.user, action="retry", resource_type="task", resource_id=str(record.pk),
                     resource_label=str(record), summary=f"Retried failed task “{record}” (queued as {queued.id})",
                     changes=audit.diff({"state": TaskRecord.State.FAILED, "error": record.last_error[:500]},
                                        {"state": "retried", "error": ""}))
        messages.success(request, f"Queued “{record}” again.")
    return redirect(reverse("tasks") + "?state=failed")


@require_GET
@read_required
def sync_detail(request: HttpRequest, resource: str) -> HttpResponse:
    """A listing's sync as includes/listing_syncing.html shows it, polled while it runs; once it
    has ended, `HX-Refresh` reloads the page so it shows the freshly synced cache."""
    if not is_registered(resource):
        raise Http404("No such listing.")
    syncing = listing_sync_active(resource)
    response = render(request, "includes/listing_syncing.html", {"sync": sync_state(resource), "syncing": syncing})
    if request.htmx and not syncing:
        response["HX-Refresh"] = "true"
    return response
