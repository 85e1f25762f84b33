"""Forms of the suite pages: Run suite, the run history's filters, schedules and alerts."""

from __future__ import annotations

from django import forms

from core.changelist import FilterForm
from core.forms import IdempotentForm, email_list
from testing.models import SuiteSchedule


class SuiteRunForm(IdempotentForm):
    """Run suite, with a version choice per assistant the suite's tests call.

    A suite whose tests call one assistant has one field, `version`; otherwise there is one
    `version-<n>` field per assistant, so no test runs on another assistant's version.
    """

    trials = forms.IntegerField(
        label="Runs of each test", initial=1, min_value=1, max_value=10, required=False,
        help_text="Run every test this many times (each its own run) to see which tests are flaky and how sure a pass rate is.")

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


class SuiteSearchForm(FilterForm):
    """The suites overview: a search by suite name, no filters."""

    search_fields = ["name"]


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


#: Schedules most teams want, by name: (label, kind, cron or minutes). Times are UTC.
SCHEDULE_PRESETS = {
    "nightly": ("Nightly at 03:00 UTC", "cron", "0 3 * * *"),
    "weekdays-0900": ("Weekdays at 09:00 UTC", "cron", "0 9 * * 1-5"),
    "hourly": ("Every hour, on the hour", "cron", "0 * * * *"),
    "every-15": ("Every 15 minutes", "interval", 15),
    "weekly": ("Mondays at 06:00 UTC", "cron", "0 6 * * 1"),
}


class ScheduleForm(SuiteRunForm):
    """A suite schedule, with Run suite's version per destination assistant. `updated` carries
    the row's last save, so a stale edit form cannot overwrite a newer one."""

    preset = forms.ChoiceField(label="When", required=False, initial="nightly",
                               choices=[(key, label) for key, (label, _, _) in SCHEDULE_PRESETS.items()] + [
                                   ("custom", "Custom: a cron expression or every N minutes (for experts)")],
                               widget=forms.Select(attrs={"data-preset": "1"}))
    kind = forms.ChoiceField(label="Repeat", choices=SuiteSchedule.Kind.choices, initial="cron",
                             widget=forms.RadioSelect(attrs={"data-expert": "1"}))
    cron = forms.CharField(
        label="Cron expression", required=False, max_length=100,
        help_text="minute hour day-of-month month day-of-week, in UTC; e.g. 0 3 * * 1-5 is 03:00 on weekdays.",
        widget=forms.TextInput(attrs={"data-expert": "1"}),
    )
    every_minutes = forms.IntegerField(label="Every (minutes)", required=False, min_value=5, max_value=7 * 24 * 60,
                                       widget=forms.NumberInput(attrs={"data-expert": "1"}))
    updated = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.initial.get("cron") or self.initial.get("every_minutes"):  # editing: the preset it matches, else Custom
            saved = (self.initial.get("kind"), self.initial.get("cron") or self.initial.get("every_minutes"))
            self.initial["preset"] = next((key for key, (_, kind, value) in SCHEDULE_PRESETS.items()
                                           if (kind, value) == saved), "custom")

    def initial_versions(self, versions: dict[str, str]) -> None:
        """Preselect the schedule's saved version of each destination."""
        for n, destination in enumerate(self.destinations):
            self.initial[self.field_name(n)] = versions.get(destination.assistant_id, "")

    def clean(self):
        from testing.services.schedules import check_cron_spacing, parse_cron

        data = super().clean()
        preset = SCHEDULE_PRESETS.get(data.get("preset") or "custom")
        if preset is not None:  # a preset fills in what an expert would type
            _, data["kind"], value = preset
            data["cron"], data["every_minutes"] = (value, None) if data["kind"] == SuiteSchedule.Kind.CRON else ("", value)
            for name in ("kind", "cron", "every_minutes"):
                self.errors.pop(name, None)
        if data.get("kind") == SuiteSchedule.Kind.CRON:
            data["cron"] = " ".join((data.get("cron") or "").split())
            if not data["cron"]:
                self.add_error("cron", "Enter a cron expression, e.g. 0 3 * * * for 03:00 UTC every day.")
            else:
                try:
                    check_cron_spacing(parse_cron(data["cron"]))
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
        return email_list(self.cleaned_data["email_to"])


class SuiteAddForm(forms.Form):
    """A new suite: its name and its first tests (Telnyx keeps a suite only while a test names it)."""

    name = forms.CharField(label="Suite name", max_length=300)
    tests = forms.MultipleChoiceField(
        label="Tests", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one test: Telnyx keeps a suite only while a test names it."},
        help_text="Each chosen test moves into this suite (out of the suite it is in now).",
    )

    def __init__(self, *args, test_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tests"].choices = list(test_choices)


class SuiteRenameForm(forms.Form):
    name = forms.CharField(label="New name", max_length=300,
                           help_text="Every test of the suite moves to the new name; its run history, schedules and alert follow.")
