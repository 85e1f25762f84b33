"""Form helpers shared by every app."""

from __future__ import annotations

import copy
from typing import Any, Callable, TypeVar

from django import forms
from django.contrib import messages
from django.core.validators import validate_email
from django.http import HttpResponse
from django.shortcuts import redirect, render

from core import json_input
from portal.telnyx import TelnyxError, new_idempotency_key

T = TypeVar("T")


def written(form: forms.Form, write: Callable[[], T], *, field_map: dict[str, str] | None = None,
            renew_key: bool = False) -> T | None:
    """What `write()` returned, or None when Telnyx refused it: the refusal is put on `form`
    (`add_telnyx_errors`), which the view renders again with what was typed. For a create or
    save whose service returns what it wrote: `if form.is_valid() and (x := written(form, ...)):`.
    `renew_key`: an `IdempotentForm` re-renders with a new key if Telnyx refused the write."""
    try:
        return write()
    except TelnyxError as exc:
        add_telnyx_errors(form, exc, field_map=field_map)
        if renew_key:
            form.renew_key_if_refused(exc)
        return None


def saved(request, form: forms.Form, save: Callable[[], T], *, message: Callable[[T], str],
          refusals: tuple[type[Exception], ...] = (), renew_key: bool = False,
          also: tuple[forms.Form, ...] = (), field_map: dict[str, str] | None = None) -> tuple[bool, T | None]:
    """The POST of a create or edit page: with a valid form (and valid `also` forms: a second
    form the page posts with it, e.g. a shared tool's settings for its type; every one is checked,
    so each shows its errors), `save()` (the service's write) and `message(result)` as a success
    message; a refusal (Telnyx's, on the fields; one of `refusals`, the portal's own, e.g. a live
    edit waiting for approval, at the top) stays on the form. `(True, result)` when it was saved:
    the view redirects; else it renders the form. `field_map` as in `add_telnyx_errors`.
    `ok, created = saved(request, form, lambda: services.x_create(...), message=lambda x: ...)`."""
    if request.method != "POST" or not all([f.is_valid() for f in (form, *also)]):
        return False, None
    try:
        result = save()
    except refusals as refused:
        form.add_error(None, str(refused))
        return False, None
    except TelnyxError as exc:
        add_telnyx_errors(form, exc, field_map=field_map)
        if renew_key:
            form.renew_key_if_refused(exc)
        return False, None
    messages.success(request, message(result))
    return True, result


def form_page(request, form: forms.Form, template: str, context: dict[str, Any], *, save: Callable[[], T],
              message: Callable[[T], str], then: Callable[[T], str], refusals: tuple[type[Exception], ...] = (),
              renew_key: bool = False, also: tuple[forms.Form, ...] = (),
              field_map: dict[str, str] | None = None) -> HttpResponse:
    """A create or edit page with one form (and the `also` forms posted with it, which `context`
    names for the template): the form (GET, or a POST that was refused), or once `saved` it, a
    redirect to `then(result)`."""
    ok, result = saved(request, form, save, message=message, refusals=refusals, renew_key=renew_key, also=also,
                       field_map=field_map)
    return redirect(then(result)) if ok else render(request, template, {**context, "form": form})


def email_list(text: str) -> str:
    """Comma-separated addresses, checked and tidied ("a@x.org, b@y.org"); every bad one named."""
    addresses = [a.strip() for a in (text or "").split(",") if a.strip()]
    bad = []
    for address in addresses:
        try:
            validate_email(address)
        except forms.ValidationError:
            bad.append(address)
    if bad:
        raise forms.ValidationError(f"Not an email address: {', '.join(bad)}")
    return ", ".join(addresses)


def add_telnyx_errors(form: forms.Form, error: TelnyxError, *, field_map: dict[str, str] | None = None) -> None:
    """Put a Telnyx error on the form: each `source.pointer` onto its field, then the whole
    plain-language message on top (so nothing Telnyx said is lost).

    A pointer is matched from its deepest path up: "/voice_settings/voice" tries
    `field_map["voice_settings/voice"]`, a field named `voice_settings_voice`, then
    "voice_settings". `field_map` maps API paths to form field names where they differ; a
    mapping to a name that is not a field (e.g. "__all__") puts the message on top.
    """
    field_map = field_map or {}
    for detail in error.errors:
        path = detail.pointer.strip("/") or detail.parameter
        if not path:
            continue
        target = _field_for_path(form, path.split("/"), field_map)
        if target is not None:
            form.add_error(target if target in form.fields else None, detail.detail or detail.title or str(error))
    form.add_error(None, error.user_message)


def _field_for_path(form: forms.Form, parts: list[str], field_map: dict[str, str]) -> str | None:
    for depth in range(len(parts), 0, -1):
        slashed, underscored = "/".join(parts[:depth]), "_".join(parts[:depth])
        if slashed in field_map:
            return field_map[slashed]
        for name in (underscored, slashed):
            if name in form.fields:
                return name
    return None


def refused(error: TelnyxError) -> bool:
    """Telnyx answered and did nothing (a 4xx other than 429): a corrected resubmission is a
    new request. After a timeout, a dropped connection, a 429 or a 5xx nobody knows whether
    the write happened, so a resubmission must be the same request."""
    return error.status is not None and 400 <= error.status < 500 and error.status != 429


def key_after(key: str, error: TelnyxError) -> str:
    """The Idempotency-Key a form re-rendered after `error` carries: kept unless Telnyx refused."""
    return new_idempotency_key() if refused(error) or not key else key


class IdempotentForm(forms.Form):
    """A form whose write carries its own Idempotency-Key, generated when the form is first
    rendered and re-rendered unchanged on errors, so a resubmission is not a twin."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())

    def renew_key_if_refused(self, error: TelnyxError) -> None:
        """Re-render with a new key if Telnyx refused the write (see `refused`), else the same."""
        if self.is_bound and refused(error):
            self.data = self.data.copy()
            self.data[self.add_prefix("idempotency_key")] = new_idempotency_key()


class JsonObjectField(forms.CharField):
    """A JSON object typed into a text area: its dict, `empty` when left blank, and a field
    error (the parser's words, or `not_object`) when it is not valid JSON or not an object."""

    widget = forms.Textarea(attrs={"rows": 6})

    def __init__(self, *args, empty: Any = None, not_object: str = "Give a JSON object.", **kwargs):
        super().__init__(*args, **kwargs)
        self.empty, self.not_object = empty, not_object

    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if not value:
            return copy.copy(self.empty)  # a fresh {} per form, never one shared dict
        try:
            parsed = json_input.parse(value)  # size and depth limited: never a RecursionError
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if not isinstance(parsed, dict):
            raise forms.ValidationError(self.not_object)
        return parsed
