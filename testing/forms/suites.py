"""Forms of the suite pages: Run suite, and the run history's filters."""

from __future__ import annotations

from django import forms

from core.changelist import FilterForm
from core.forms import IdempotentForm


class SuiteRunForm(IdempotentForm):
    """Run suite, with a version choice per assistant the suite's tests call.

    A suite whose tests call one assistant has one field, `version`; otherwise there is one
    `version-<n>` field per assistant, so no test runs on another assistant's version.
    """

    def __init__(self, *args, destinations=(), **kwargs):
        self.destinations = list(destinations)
        single = len(self.destinations) == 1
        if args and args[0] is not None and not single and args[0].get("version"):
            # A bare `version` (the version page's "Run suite on this version") is for the one
            # assistant that version belongs to; the others stay on main.
            data = args[0].copy()
            for n, destination in enumerate(self.destinations):
                if data["version"] in (v for v, _ in destination.versions):
                    data.setdefault(self.field_name(n), data["version"])
            args = (data, *args[1:])
        super().__init__(*args, **kwargs)
        for n, destination in enumerate(self.destinations):
            self.fields[self.field_name(n)] = forms.ChoiceField(
                label="Assistant version" if single else f"Version of {destination.name}", required=False,
                choices=[("", "Main version"), *destination.versions],
                help_text=(f"Every test runs on this version of {destination.name}; main when empty." if single else
                           f"The tests that call {destination.name} run on this version; main when empty."),
            )

    def field_name(self, n: int) -> str:
        return "version" if len(self.destinations) == 1 else f"version-{n}"

    def versions(self) -> dict[str, str]:
        """{assistant id: chosen version id} for the assistants not run on main."""
        chosen = ((d.assistant_id, self.cleaned_data.get(self.field_name(n)) or "") for n, d in enumerate(self.destinations))
        return {assistant: version for assistant, version in chosen if version}


class SuiteHistoryFilterForm(FilterForm):
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any result"), ("running", "Running"), ("passed", "Passed"), ("failed", "Failed"), ("error", "Error")],
    )
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.ChoiceField(required=False)

    filter_lookups = {
        "status": "status",
        "since": "started_at__date__gte",
        "until": "started_at__date__lte",
        "version": "version_id",
    }
    search_fields = ["username", "batch_id"]

    def __init__(self, *args, version_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [("", "Any version"), *version_choices]
