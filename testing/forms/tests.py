"""Forms of the tests pages: the changelist filters, a test's settings and its rubric rows."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory

from core.changelist import FilterForm
from core.forms import IdempotentForm
from testing.models import CHANNELS

RUBRIC_PREFIX = "rubric"


class TestFilterForm(FilterForm):
    suite = forms.ChoiceField(required=False, label="By suite")
    channel = forms.ChoiceField(required=False, label="By channel", choices=[("", "All channels"), *CHANNELS])
    destination = forms.ChoiceField(required=False, label="By destination")

    filter_lookups = {"suite": "test_suite", "channel": "channel", "destination": "destination"}
    search_fields = ["name", "instructions", "telnyx_id"]

    def __init__(self, *args, suite_choices=(), destination_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suite"].choices = [("", "All suites"), *suite_choices]
        self.fields["destination"].choices = [("", "All destinations"), *destination_choices]


class TestForm(IdempotentForm):
    """A test's settings; the rubric rows come in a separate formset."""

    name = forms.CharField(max_length=300)
    description = forms.CharField(max_length=1000, required=False)
    destination = forms.CharField(
        max_length=300,
        widget=forms.TextInput(attrs={"list": "assistant-options", "autocomplete": "off"}),
        help_text="The assistant under test: pick one from the list or type an assistant id or a phone number.",
    )
    telnyx_conversation_channel = forms.ChoiceField(label="Channel", choices=CHANNELS, initial="web_chat")
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What the simulated user says and tries to do in the conversation.",
    )
    test_suite = forms.CharField(
        label="Test suite", max_length=300, required=False,
        widget=forms.TextInput(attrs={"list": "suite-options", "autocomplete": "off"}),
        help_text="Pick an existing suite or type a new name; empty for none.",
    )
    max_duration_seconds = forms.IntegerField(label="Max duration (seconds)", required=False, min_value=1, max_value=3600)

    def to_body(self, *, editing: bool = False) -> dict:
        """The API body. An edit sends emptied text fields too, so clearing a suite or description sticks."""
        data = self.cleaned_data
        body = {k: data[k] for k in ("name", "destination", "telnyx_conversation_channel", "instructions")}
        for key in ("description", "test_suite"):
            if data.get(key) or editing:
                body[key] = data.get(key) or ""
        if data.get("max_duration_seconds") is not None:
            body["max_duration_seconds"] = data["max_duration_seconds"]
        return body


class RubricForm(forms.Form):
    name = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"placeholder": "e.g. greets_caller"}))
    criteria = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "placeholder": "What the grader checks"}))


RubricFormSet = formset_factory(RubricForm, extra=0, min_num=1, validate_min=True)


def rubric_rows_from_post(data) -> list[dict]:
    """The rubric rows as typed, in order, from a POST (valid or not)."""
    try:
        total = min(int(data.get(f"{RUBRIC_PREFIX}-TOTAL_FORMS", 0)), 100)
    except ValueError:
        total = 0
    return [
        {"name": data.get(f"{RUBRIC_PREFIX}-{i}-name", ""), "criteria": data.get(f"{RUBRIC_PREFIX}-{i}-criteria", "")}
        for i in range(total)
    ]


def apply_rubric_op(rows: list[dict], op: str) -> list[dict]:
    """Add, remove or move a row: op is "add", "remove-<i>", "up-<i>" or "down-<i>"."""
    rows = list(rows)
    verb, _, index_text = op.partition("-")
    if verb == "add":
        return rows + [{"name": "", "criteria": ""}]
    try:
        i = int(index_text)
    except ValueError:
        return rows
    if not 0 <= i < len(rows):
        return rows
    if verb == "remove" and len(rows) > 1:
        rows.pop(i)
    elif verb == "up" and i > 0:
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
    elif verb == "down" and i < len(rows) - 1:
        rows[i + 1], rows[i] = rows[i], rows[i + 1]
    return rows
