
from django import forms

from core.changelist import FilterForm
from core.forms import IdempotentForm, JsonObjectField


class TemplateFilterForm(FilterForm):
    insight_type = forms.ChoiceField(required=False, label="By type", choices=[("", "Any type"), ("custom", "custom"), ("default", "default")])
    filter_lookups = {"insight_type": "insight_type"}
    search_fields = ["name", "instructions", "telnyx_id"]


class GroupFilterForm(FilterForm):
    search_fields = ["name", "description", "telnyx_id"]


class TemplateForm(IdempotentForm):
    name = forms.CharField(max_length=300)
    instructions = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}),
                                   help_text="What to find out from each conversation, e.g. “Did the caller ask to cancel?”")
    json_schema = JsonObjectField(required=False, label="JSON schema", not_object="The schema must be a JSON object.",
                                  help_text="Optional: a JSON schema object; the result is then structured JSON.")
    webhook = forms.URLField(required=False, assume_scheme="https", help_text="Optional: where Telnyx posts each result.")

    def to_body(self) -> dict:
        data = self.cleaned_data
        body = {"name": data["name"], "instructions": data["instructions"]}
        if data.get("json_schema"):
            body["json_schema"] = data["json_schema"]
        if data.get("webhook"):
            body["webhook"] = data["webhook"]
        return body


class GroupForm(IdempotentForm):
    name = forms.CharField(max_length=300)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    webhook = forms.URLField(required=False, assume_scheme="https")

    def to_body(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "idempotency_key" and (v or k == "name")}


class AnalyticsFilterForm(forms.Form):
    """The analytics page's filters; a bad value is a field error and the default is used."""

    MAX_DAYS = 366

    template = forms.ChoiceField(required=False, label="Template")
    assistant = forms.ChoiceField(required=False, label="Assistant")
    version = forms.ChoiceField(required=False, label="Version")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, template_choices=(), assistant_choices=(), version_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = list(template_choices)
        self.fields["assistant"].choices = [("", "All assistants"), *assistant_choices]
        self.fields["version"].choices = [("", "All versions"), *version_choices]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until:
            if since > until:
                self.add_error("until", "The end is before the start.")
            elif (until - since).days > self.MAX_DAYS:
                self.add_error("since", f"Choose at most {self.MAX_DAYS} days.")
        return data
