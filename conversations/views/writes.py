"""Writing to conversations from the portal: create one, add a message, edit the metadata."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from conversations import services
from conversations.forms.writes import BaseMetadataFormSet, ConversationCreateForm, MessageForm, metadata_formset, sign_loaded, unsign_loaded
from conversations.views.conversations import DETAIL_TEMPLATE, detail_context
from core.forms import add_telnyx_errors
from portal.roles import admin_required, operate_required
from portal.telnyx import TelnyxError

ADD_TEMPLATE = "conversations/conversation_form.html"
CHANGE_TEMPLATE = "conversations/conversation_metadata_form.html"


def _telnyx_errors_on_rows(rows: BaseMetadataFormSet, error: TelnyxError) -> None:
    """A `/metadata/<key>` pointer lands on that key's row, so the typed rows show where."""
    by_key = {f.cleaned_data.get("key"): f for f in rows.forms if getattr(f, "cleaned_data", None)}
    for detail in error.errors:
        parts = detail.pointer.strip("/").split("/")
        if len(parts) >= 2 and parts[0] == "metadata" and parts[1] in by_key:
            by_key[parts[1]].add_error("value", detail.detail or detail.title or str(error))


@require_http_methods(["GET", "POST"])
@operate_required
def conversation_add(request: HttpRequest) -> HttpResponse:
    form = ConversationCreateForm(request.POST or None)
    rows = metadata_formset(request.POST or None)
    if request.method == "POST" and form.is_valid() & rows.is_valid():
        try:
            created = services.conversation_create(user=request.user, name=form.cleaned_data["name"],
                                                   metadata=rows.metadata(),
                                                   idempotency_key=form.cleaned_data["idempotency_key"])
        except TelnyxError as exc:
            _telnyx_errors_on_rows(rows, exc)
            add_telnyx_errors(form, exc, field_map={"metadata": "__all__"})
            form.renew_key_if_refused(exc)
        else:
            messages.success(request, f"Created conversation “{created.get('name') or 'Untitled'}”.")
            return redirect("conversations:conversation-detail", conversation_id=created["id"])
    return render(request, ADD_TEMPLATE, {"form": form, "rows": rows})


@require_POST
@operate_required
def conversation_message(request: HttpRequest, conversation_id: str) -> HttpResponse:
    form = MessageForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.conversation_add_message(user=request.user, conversation_id=conversation_id, role=data["role"],
                                              content=data["content"], idempotency_key=data["idempotency_key"])
        except TelnyxError as exc:
            add_telnyx_errors(form, exc, field_map={"role": "role", "content": "content"})
            form.renew_key_if_refused(exc)
        else:
            messages.success(request, "Added the message to the transcript.")
            return redirect("conversations:conversation-detail", conversation_id=conversation_id)
    return render(request, DETAIL_TEMPLATE, detail_context(request, conversation_id, message_form=form))


@require_http_methods(["GET", "POST"])
@admin_required
def conversation_change(request: HttpRequest, conversation_id: str) -> HttpResponse:
    """The whole metadata as key/value rows. Opened on what Telnyx has now: without it (Telnyx
    failing), an editor on the cached copy could overwrite newer values blindly, so it is read-only."""
    live = services.conversation_live(user=request.user, conversation_id=conversation_id)
    current = live.data.get("metadata") or {}
    context = {"conversation": live.data, "conversation_id": conversation_id, "live": live}
    if request.method == "GET" or live.from_cache:
        return render(request, CHANGE_TEMPLATE, {**context, "rows": metadata_formset(metadata=current),
                                                 "loaded_from": sign_loaded(current)})
    rows = metadata_formset(request.POST)
    loaded, error, stale = unsign_loaded(request.POST.get("loaded_from", "")), None, None
    if rows.is_valid():
        wanted = rows.metadata()
        try:
            saved = services.conversation_update_metadata(user=request.user, conversation_id=conversation_id,
                                                          metadata=wanted, loaded=loaded)
        except services.StaleMetadataError as exc:
            stale, loaded = exc, exc.current  # saving again, having seen theirs, overwrites deliberately
        except TelnyxError as exc:
            _telnyx_errors_on_rows(rows, exc)
            error = exc
        else:
            messages.success(request, "Saved the conversation's metadata.")
            kept = sorted(k for k in saved if k not in wanted)
            if kept:
                messages.warning(request, f"Telnyx kept {', '.join(kept)}: it does not remove metadata keys. "
                                          "Set a key's value to empty instead.")
            return redirect("conversations:conversation-detail", conversation_id=conversation_id)
    return render(request, CHANGE_TEMPLATE, {**context, "rows": rows, "error": error, "stale": stale,
                                             "loaded_from": sign_loaded(loaded if loaded is not None else current)})
