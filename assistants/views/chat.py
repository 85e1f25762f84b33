"""The chat playground (multi-turn web chat, each reply labelled with its version) and the
SMS chat form. Operator and up."""

from __future__ import annotations

from typing import Iterator

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from assistants import selectors
from assistants.canary.display import VersionLabels
from assistants.services import assistants as assistant_services
from assistants.services import chat as services
from assistants.services import trial_chat
from assistants.services import versions as version_services
from core.forms import IdempotentForm, add_telnyx_errors
from core.phone import HELP as PHONE_HELP
from core.phone import PhoneNumberField
from core.sse import sse_event
from core.types import HtmxHttpRequest
from portal.roles import operate_required
from portal.telnyx import TelnyxError

PAGE = "assistants/chat.html"
#: The longest turn the chat sends; shown with a live counter, a longer paste is refused with a
#: field error (kept whole), never cut by the browser.
CHAT_LIMIT = 4000


class ChatForm(forms.Form):
    content = forms.CharField(max_length=CHAT_LIMIT, widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Type a message…",
                                                                                   "data-limit": CHAT_LIMIT}))
    conversation_id = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    # "Try in chat" on a version that is not live: a new conversation is routed to it.
    version = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["content"].widget.attrs.pop("maxlength", None)  # the browser would cut a paste silently


def _trial_version(request: HttpRequest, assistant_id: str, data: dict) -> str:
    """The version a new conversation should be routed to, if it is allowed (checked again here)."""
    wanted = data.get("version") or ""
    if not wanted or data.get("conversation_id") or trial_chat.trial_refusal(user=request.user, assistant_id=assistant_id):
        return ""
    return wanted


class SmsChatForm(IdempotentForm):
    from_ = PhoneNumberField(label="From (the assistant's number)", help_text=PHONE_HELP)
    to = PhoneNumberField(label="To (the end user's number)", help_text=PHONE_HELP)
    text = forms.CharField(required=False, max_length=1600, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="Optional first message; without it the assistant writes its own greeting.")

    def add_prefix(self, field_name: str) -> str:
        # The API and the form both call it "from"; Python cannot.
        return "from" if field_name == "from_" else super().add_prefix(field_name)


def _known(assistant_id: str) -> None:
    """A message goes only to an assistant the portal has seen (the chat page caches the one it
    opens): an id typed into a URL never reaches Telnyx's chat endpoint."""
    if selectors.cached_assistant(assistant_id) is None:
        raise Http404("No such assistant in the portal: open it from the assistants list first.")


def _labels(request: HttpRequest, assistant_id: str) -> tuple[dict, VersionLabels]:
    assistant = assistant_services.assistant_fetch(user=request.user, assistant_id=assistant_id).data
    versions = version_services.version_choices(user=request.user, assistant_id=assistant_id)
    return assistant, VersionLabels(versions, str(assistant.get("version_id") or ""))


@require_GET
@operate_required
def chat_page(request: HttpRequest, assistant_id: str) -> HttpResponse:
    assistant, labels = _labels(request, assistant_id)
    # From a version's "Try in chat": Telnyx picks the serving version by the canary rules, so
    # the page names the version asked for and each reply names the one that answered.
    wanted = request.GET.get("version", "")[:100]
    is_main = wanted == labels.main_version_id
    refusal = trial_chat.trial_refusal(user=request.user, assistant_id=assistant_id) if wanted and not is_main else ""
    form = ChatForm(initial={"version": wanted if wanted and not is_main and not refusal else ""})
    return render(request, PAGE, {"assistant": assistant, "assistant_id": assistant_id, "form": form,
                                  "sms_form": SmsChatForm(), "wanted_version": labels.describe(wanted) if wanted else "",
                                  "wanted_is_main": is_main, "trial_refusal": refusal})


@require_POST
@operate_required
def chat_send(request: HtmxHttpRequest, assistant_id: str) -> HttpResponse:
    """One turn. HTMX appends the exchange and updates the kept conversation id."""
    _known(assistant_id)
    form = ChatForm(request.POST)
    context: dict = {"assistant_id": assistant_id, "form": form}
    if form.is_valid():
        data = form.cleaned_data
        try:
            turn = services.chat_send(user=request.user, assistant_id=assistant_id, content=data["content"],
                                      conversation_id=data["conversation_id"],
                                      trial_version=_trial_version(request, assistant_id, data))
        except TelnyxError as exc:
            context["error"] = exc.user_message
        else:
            _, labels = _labels(request, assistant_id)
            context.update(turn=turn, content=data["content"], version_label=labels.describe(turn.version_id)
                           if turn.version_id else "unknown version", conversation_id=turn.conversation_id)
    template = f"{PAGE}#exchange" if request.htmx else PAGE
    if not request.htmx:
        context.update(assistant=_labels(request, assistant_id)[0], sms_form=SmsChatForm(),
                       exchanges=[context] if "turn" in context else [])
    return render(request, template, context)


@require_POST
@operate_required
def chat_stream(request: HttpRequest, assistant_id: str) -> HttpResponse:
    """One turn as server-sent events for the playground's script; a bad form or a Telnyx
    error before the reply started answers with the same HTML fragment `chat_send` sends."""
    _known(assistant_id)
    form = ChatForm(request.POST)
    if not form.is_valid():
        return render(request, f"{PAGE}#exchange", {"assistant_id": assistant_id, "form": form})
    data = form.cleaned_data
    try:
        events = services.chat_stream(user=request.user, assistant_id=assistant_id, content=data["content"],
                                      conversation_id=data["conversation_id"],
                                      trial_version=_trial_version(request, assistant_id, data))
    except TelnyxError as exc:
        return render(request, f"{PAGE}#exchange", {"assistant_id": assistant_id, "form": form, "error": exc.user_message})
    response = StreamingHttpResponse(_sse(request, assistant_id, events), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a proxy in front must not hold the reply back
    return response


def _sse(request: HttpRequest, assistant_id: str, events) -> Iterator[bytes]:
    try:
        for kind, value in events:
            if kind == "version":
                _, labels = _labels(request, assistant_id)
                value = labels.describe(value)
            yield sse_event(kind, {"text": value})
    except TelnyxError as exc:
        yield sse_event("error", {"text": exc.user_message})


@require_POST
@operate_required
def chat_sms(request: HtmxHttpRequest, assistant_id: str) -> HttpResponse:
    _known(assistant_id)
    form = SmsChatForm(request.POST)
    context: dict = {"assistant_id": assistant_id, "sms_form": form}
    if form.is_valid():
        data = form.cleaned_data
        try:
            context["sms_conversation_id"] = services.sms_chat_send(
                user=request.user, assistant_id=assistant_id, from_=data["from_"], to=data["to"], text=data["text"],
                idempotency_key=data["idempotency_key"]) or "none"
        except TelnyxError as exc:
            add_telnyx_errors(form, exc, field_map={"from": "from_"})
            form.renew_key_if_refused(exc)
        else:
            context["sms_form"] = SmsChatForm()
    if request.htmx:
        return render(request, f"{PAGE}#sms", context)
    assistant, _ = _labels(request, assistant_id)
    return render(request, PAGE, {**context, "assistant": assistant, "form": ChatForm()})
