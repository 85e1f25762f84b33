"""The conversations list's bulk action: make the selected conversations tests of one suite."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.forms import IdempotentForm
from portal.roles import admin_required
from testing.services import from_conversations as services


class ConversationsToSuiteForm(IdempotentForm):
    suite = forms.CharField(max_length=300, error_messages={"required": "Name the suite the new tests go into."})
    selected = forms.MultipleChoiceField(error_messages={"required": "Select at least one conversation first."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any conversation id: each is read from Telnyx, which says if it has no such conversation.
        self.fields["selected"].valid_value = lambda value: 0 < len(value) <= 200

    def clean_suite(self):
        return " ".join(self.cleaned_data["suite"].split())


@require_POST
@admin_required
def conversations_to_suite(request: HttpRequest) -> HttpResponse:
    back = request.POST.get("next", "")
    # Only a path on this site: anything else (another host, a bare word) goes back to the list.
    if not (back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})):
        back = reverse("conversations:conversation-list")
    form = ConversationsToSuiteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(back)
    made, failures = services.conversations_to_suite(
        user=request.user, conversation_ids=form.cleaned_data["selected"], suite_name=form.cleaned_data["suite"],
        idempotency_key=form.cleaned_data["idempotency_key"])
    if made:
        messages.success(request, f"Made {len(made)} test{'s' if len(made) != 1 else ''} in the suite “{form.cleaned_data['suite']}”.")
    for failure in failures:
        messages.error(request, f"Not made into a test: {failure}")
    if made and not failures:
        return redirect("testing:suite-detail", suite_name=form.cleaned_data["suite"])
    return HttpResponseRedirect(back)
