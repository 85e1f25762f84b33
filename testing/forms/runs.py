"""Forms that start test runs: Run now, and the changelist's action bar."""

from __future__ import annotations

from django import forms

from core.forms import IdempotentForm


class RunForm(IdempotentForm):
    """Run now: only the Idempotency-Key, so a retried click is the same run."""


class BulkActionForm(IdempotentForm):
    ACTIONS = [("run", "Run selected tests"), ("delete", "Delete selected tests")]

    action = forms.ChoiceField(choices=[("", "Choose an action…"), *ACTIONS])
    selected = forms.MultipleChoiceField(error_messages={"required": "Select at least one test first."})

    def __init__(self, *args, test_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selected"].choices = list(test_choices)
