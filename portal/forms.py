"""Form helpers shared by every app."""

from __future__ import annotations

from django import forms

from portal.changelist import FilterForm
from portal.models import AuditEvent
from portal.telnyx import TelnyxError, new_idempotency_key, split_field_errors


def add_telnyx_errors(form: forms.Form, error: TelnyxError, *, field_map: dict[str, str] | None = None) -> None:
    """Put a Telnyx error on the form: each `source.pointer` onto its field, the rest on top.

    `field_map` maps API field names to form field names where they differ.
    """
    field_map = field_map or {}
    api_fields = {field_map.get(name, name): name for name in form.fields}
    api_fields.update({api: form_name for api, form_name in field_map.items()})
    split = split_field_errors(error, set(api_fields) | set(form.fields))
    for api_name, messages in split.by_field.items():
        form_name = field_map.get(api_name, api_name)
        for message in messages:
            form.add_error(form_name if form_name in form.fields else None, message)
    if split.other or split.by_field:
        form.add_error(None, error.user_message)


class IdempotentForm(forms.Form):
    """A create form that carries its own Idempotency-Key, so a resubmission is not a twin."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())



class AuditFilterForm(FilterForm):
    action = forms.ChoiceField(required=False)
    resource_type = forms.ChoiceField(required=False)
    username = forms.ChoiceField(required=False)
    outcome = forms.ChoiceField(required=False, choices=[("", "Any outcome"), *AuditEvent.Outcome.choices])
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    filter_lookups = {
        "action": "action",
        "resource_type": "resource_type",
        "username": "username",
        "outcome": "outcome",
        "since": "created_at__date__gte",
        "until": "created_at__date__lte",
    }
    search_fields = ["summary", "resource_label", "resource_id", "telnyx_request_id"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in (("action", "Any action"), ("resource_type", "Any object type"), ("username", "Anyone")):
            values = AuditEvent.objects.order_by(name).values_list(name, flat=True).distinct()
            self.fields[name].choices = [("", label), *((v, v) for v in values if v)]
