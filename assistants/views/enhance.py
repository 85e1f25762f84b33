""""Improve instructions": one form (optional guidance), one draft version, then the comparison."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from assistants import selectors
from assistants.services import enhance
from core.forms import IdempotentForm, add_telnyx_errors
from portal.converters import is_telnyx_id
from portal.roles import admin_required
from portal.telnyx import TelnyxError


class ImproveForm(IdempotentForm):
    prompt = forms.CharField(
        required=False, max_length=2000, label="What to improve (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="E.g. “make it more concise” or “add what to say when the order lookup fails”. "
                  "Empty: Telnyx improves tool use, clarity and error handling on its own.")


@require_http_methods(["GET", "POST"])
@admin_required
def improve_instructions(request: HttpRequest, assistant_id: str) -> HttpResponse:
    form = ImproveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = enhance.improve_instructions(user=request.user, assistant_id=assistant_id,
                                                 prompt=form.cleaned_data["prompt"],
                                                 idempotency_key=form.cleaned_data["idempotency_key"])
        except TelnyxError as exc:
            add_telnyx_errors(form, exc)
            form.renew_key_if_refused(exc)
        else:
            messages.success(request, "Saved the improved instructions as a draft version; main is unchanged.")
            version_id, main_id = str(draft.get("version_id") or ""), selectors.main_version_id(assistant_id) or ""
            url = reverse("assistants:version-list", args=[assistant_id])
            # Ids from Telnyx's answer pass the URL check before they reach a link.
            if is_telnyx_id(version_id) and is_telnyx_id(main_id):
                url = reverse("assistants:version-compare", args=[assistant_id]) + "?" + urlencode({"a": main_id, "b": version_id})
            return redirect(url)
    return render(request, "assistants/improve_instructions.html", {
        "form": form, "assistant_id": assistant_id, "name": selectors.assistant_name(assistant_id)})
