from __future__ import annotations

from django import forms
from django.forms import formset_factory

from core.changelist import FilterForm
from core.forms import IdempotentForm

from testing.models import CHANNELS, SuiteSchedule

RUBRIC_PREFIX = "rubric"


class TestFilterForm(FilterForm):
    suite = forms.ChoiceField(required=False)
    channel = forms.ChoiceField(required=False, choices=[("", "All channels"), *CHANNELS])
    destination = forms.ChoiceField(required=False)

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


class RunForm(IdempotentForm):
    """Run now: only the Idempotency-Key, so a retried click is the same run."""


class SuiteRunForm(IdempotentForm):
    version = forms.ChoiceField(
        label="Assistant version", required=False,
        help_text="Runs every test against this version of the destination assistant; empty runs the main version.",
    )

    def __init__(self, *args, version_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [("", "Main version"), *version_choices]


class BulkActionForm(IdempotentForm):
    ACTIONS = [("run", "Run selected tests"), ("delete", "Delete selected tests")]

    action = forms.ChoiceField(choices=[("", "Choose an action…"), *ACTIONS])
    selected = forms.MultipleChoiceField(error_messages={"required": "Select at least one test first."})

    def __init__(self, *args, test_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selected"].choices = list(test_choices)


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


class ScheduleForm(forms.Form):
    """A suite schedule. `updated` carries the row's last save, so a stale form cannot overwrite a newer edit."""

    kind = forms.ChoiceField(label="Repeat", choices=SuiteSchedule.Kind.choices, widget=forms.RadioSelect, initial="cron")
    cron = forms.CharField(
        label="Cron expression", required=False, max_length=100,
        help_text="minute hour day-of-month month day-of-week, in UTC; e.g. 0 3 * * 1-5 is 03:00 on weekdays.",
    )
    every_minutes = forms.IntegerField(label="Every (minutes)", required=False, min_value=5, max_value=7 * 24 * 60)
    version = forms.ChoiceField(label="Assistant version", required=False)
    updated = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, version_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [("", "Main version"), *version_choices]

    def clean(self):
        from testing.services.schedules import parse_cron

        data = super().clean()
        if data.get("kind") == SuiteSchedule.Kind.CRON:
            data["cron"] = " ".join((data.get("cron") or "").split())
            if not data["cron"]:
                self.add_error("cron", "Enter a cron expression, e.g. 0 3 * * * for 03:00 UTC every day.")
            else:
                try:
                    parse_cron(data["cron"])
                except ValueError as exc:
                    self.add_error("cron", str(exc))
        elif data.get("kind") == SuiteSchedule.Kind.INTERVAL and not data.get("every_minutes") and "every_minutes" not in self.errors:
            self.add_error("every_minutes", "Enter how many minutes apart the runs are (at least 5).")
        return data


class AlertForm(forms.Form):
    threshold_percent = forms.IntegerField(
        label="Alert below pass rate (%)", required=False, min_value=1, max_value=100,
        help_text="A finished run that passes fewer tests than this alerts; empty turns the threshold off.",
    )
    on_error = forms.BooleanField(label="Alert when a test run ends in error", required=False)
    email_to = forms.CharField(label="Email to", required=False, max_length=2000,
                               help_text="Comma-separated addresses.")
    webhook_url = forms.ChoiceField(label="Webhook", required=False,
                                    help_text="Slack-compatible; an Admin sets which webhooks exist (ALERT_WEBHOOK_URLS).")

    def __init__(self, *args, webhook_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["webhook_url"].choices = [("", "No webhook"), *webhook_choices]

    def clean_email_to(self):
        from django.core.validators import validate_email

        addresses = [a.strip() for a in self.cleaned_data["email_to"].split(",") if a.strip()]
        bad = []
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                bad.append(address)
        if bad:
            raise forms.ValidationError(f"Not an email address: {', '.join(bad)}")
        return ", ".join(addresses)
