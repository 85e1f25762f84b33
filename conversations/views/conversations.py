"""Conversation pages: the changelist with its background sync's progress, detail with the transcript."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assistants.models import Assistant
from conversations import selectors, services, tracing
from conversations.exports import CONVERSATIONS_EXPORT
from conversations.forms.filters import ConversationFilterForm
from conversations.forms.writes import MessageForm
from conversations.insights import fields as insight_fields
from conversations.insights.results import insight_results
from conversations.models import Conversation, InsightResult
from core.background import enqueue_listing_sync, listing_sync_queued
from core.changelist import ChangelistSpec, Column, remembered_query
from core.changelist.history import object_history
from core.confirm import confirm_page
from core.sync import SyncOutcome, sync_state
from portal.converters import is_telnyx_id
from portal.roles import admin_required, read_required
from portal.telnyx import TelnyxError

LIST_TEMPLATE = "conversations/conversation_list.html"
SYNCED_EVENT = "conversations-synced"
COLUMNS = [
    Column("created", "Started", "created_at"),
    Column("duration", "Duration", "duration_seconds"),
    Column("turns", "Turns", "turns"),
    Column("assistant", "Assistant", "assistant_id"),
    Column("channel", "Channel · end", "channel"),
]


def _sync_progress(state=None) -> SyncOutcome | None:
    """A sync running on a worker (queued, or holding the lease) as the progress card shows it."""
    # The lease first: a running sync holds it, so only a queued one needs the task records.
    state = state or sync_state(services.RESOURCE)
    if (state.lease_until and state.lease_until > timezone.now()) or listing_sync_queued(services.RESOURCE):
        return SyncOutcome(ran=False, queued=True)
    return None


def _filter_form_kwargs() -> dict:
    choices = selectors.filter_choices()
    return {"assistant_choices": choices["assistants"], "channel_choices": choices["channels"],
            "insight_choices": insight_fields.template_choices(), "insight_fields": insight_fields.insight_fields(),
            "assistant_names": selectors.assistant_names()}


CONVERSATIONS = ChangelistSpec(
    template=LIST_TEMPLATE, queryset=selectors.conversation_queryset, form_class=ConversationFilterForm, columns=COLUMNS,
    default_sort="-created", resource=services.RESOURCE, remember_as="conversations",
    list_url="conversations:conversation-list",
    form_kwargs=_filter_form_kwargs,
    extra=lambda request: {"names": selectors.assistant_names()}, tables=[Conversation, Assistant, InsightResult],
    vary=lambda state: {"outcome": _sync_progress(state)},  # a sync running on a worker shows its progress card
    exports=CONVERSATIONS_EXPORT,
    count=selectors.rollup_count,  # the total from the per-day rollup where no search or insight filter is on
)
# Refreshed by `conversation_sync` (a stepwise sync on a worker, with a progress card), not the spec's Refresh.
conversation_list = CONVERSATIONS.list_view(read_required)


@require_POST
@read_required
def conversation_sync(request: HttpRequest) -> HttpResponse:
    """Refresh queues the sync on a worker; the card polls (`waiting`) with the progress any
    page can read from SyncState, and asks the table to reload when the sync is done."""
    if request.POST.get("waiting"):
        outcome = _sync_progress() or SyncOutcome(ran=True, count=sync_state(services.RESOURCE).item_count)
    else:
        outcome = enqueue_listing_sync(services.RESOURCE)
    state = sync_state(services.RESOURCE)
    response = render(request, f"{LIST_TEMPLATE}#sync-progress", {"outcome": outcome, "sync": state})
    if outcome.ran and outcome.error is None and not state.last_error:
        response["HX-Trigger"] = SYNCED_EVENT  # the table reloads itself with the new cache
    return response


@require_GET
@read_required
def conversation_detail(request: HttpRequest, conversation_id: str) -> HttpResponse:
    return render(request, DETAIL_TEMPLATE, detail_context(request, conversation_id))


DETAIL_TEMPLATE = "conversations/conversation_detail.html"


def detail_context(request: HttpRequest, conversation_id: str, *, message_form: MessageForm | None = None) -> dict:
    """The detail page; `message_form` is the add-message form as submitted, on a re-render."""
    detail = services.conversation_fetch(user=request.user, conversation_id=conversation_id)
    data = detail.conversation.data
    metadata = data.get("metadata") or {}
    assistant_id = str(metadata.get("assistant_id") or "")
    version_id = str(metadata.get("assistant_version_id") or "")
    version_name, observability = selectors.serving_version(assistant_id, version_id)
    return {
        "detail": detail,
        "insight_runs": insight_results(detail.insights),
        "conversation": data,
        "conversation_id": conversation_id,
        "metadata": metadata,
        "ai_disabled": str(metadata.get("ai_disabled", "")).lower() == "true",
        "assistant_name": selectors.assistant_names().get(metadata.get("assistant_id", ""), ""),
        "message_form": message_form or MessageForm(),
        "version_name": version_name,
        # Metadata comes from Telnyx (and callers): an assistant id the portal cannot use is shown, not linked.
        "assistant_link_id": assistant_id if is_telnyx_id(assistant_id) else "",
        "trace_url": tracing.langfuse_trace_url(observability, conversation_id),
        "trace_assumption": tracing.ASSUMPTION,
    }


@require_POST
@admin_required
def conversation_ai(request: HttpRequest, conversation_id: str) -> HttpResponse:
    enable = request.POST.get("enabled") == "true"
    try:
        services.conversation_set_ai(user=request.user, conversation_id=conversation_id, enabled=enable)
    except TelnyxError as exc:
        messages.error(request, f"Could not change AI replies. {exc.user_message}")
    else:
        messages.success(
            request,
            "AI replies are on for this conversation."
            if enable
            else "AI replies are off: the assistant will not answer in this conversation.",
        )
    return redirect("conversations:conversation-detail", conversation_id=conversation_id)


def conversation_label(row: Conversation | None) -> str:
    """What a page calls the conversation: its name, else when it started, never a bare UUID."""
    if row is None:
        return "Conversation"
    if row.name:
        return row.name
    started = timezone.localtime(row.created_at).strftime("%-d %b %Y, %H:%M") if row.created_at else ""
    return f"Untitled conversation from {started}" if started else "Untitled conversation"


@require_http_methods(["GET", "POST"])
@admin_required
def conversation_delete(request: HttpRequest, conversation_id: str) -> HttpResponse:
    label = conversation_label(selectors.cached_conversation(conversation_id))
    query = remembered_query(request, "conversations")
    return confirm_page(request, "conversations/conversation_confirm_delete.html",
                        {"label": label, "conversation_id": conversation_id},
                        act=lambda: services.conversation_delete(user=request.user, conversation_id=conversation_id),
                        done=f"Deleted conversation “{label}”.", failed="Could not delete the conversation.",
                        then=reverse("conversations:conversation-list") + (f"?{query}" if query else ""))


HISTORY = object_history("conversations/conversation_history.html")


@require_GET
@read_required
def conversation_history(request: HttpRequest, conversation_id: str) -> HttpResponse:
    row = selectors.cached_conversation(conversation_id)
    return HISTORY.page(request, {"conversation_id": conversation_id, "label": conversation_label(row)},
                        services.RESOURCE_TYPE, conversation_id)
