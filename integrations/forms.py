from __future__ import annotations

from django import forms

from core.changelist import FilterForm


class IntegrationFilterForm(FilterForm):
    """The catalogue's search box and status filter (applied to Telnyx's live list)."""

    status = forms.ChoiceField(required=False, label="Status",
                               choices=[("", "Any status"), ("connected", "Connected"), ("disconnected", "Not connected")])

    filter_lookups = {"status": "status"}
    search_fields = ["label", "name", "description"]
