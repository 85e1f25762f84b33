"""The audit log's filter form."""

from __future__ import annotations

from django import forms

from core.changelist import FilterForm
from core.templatetags.audit_words import action_words, kind_words
from portal.models import AuditEvent


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

    def __init__(self, *args, events=None, **kwargs):
        """`events`: the rows the reader may see (console.selectors.audit_log); the choices come
        from them only, so a Viewer is never offered a name that only Admin-only rows carry."""
        super().__init__(*args, **kwargs)
        events = AuditEvent.objects.none() if events is None else events
        words = {"action": action_words, "resource_type": kind_words, "username": str}
        for name, label in (("action", "Any action"), ("resource_type", "Any object type"), ("username", "Anyone")):
            values = events.order_by(name).values_list(name, flat=True).distinct()
            self.fields[name].choices = [("", label), *((v, words[name](v)) for v in values if v)]
