"""One form per shared tool type (SDK: ToolCreateParams and the assistant tool types it mirrors):
the settings each type has, with proper widgets and validation; JSON only where the schema is
free-form (a JSON Schema of arguments, a connector's parameters), through core's JsonObjectField.

`DefinitionForm.definition()` merges what the form shows onto the stored object, so a key the
form does not show (one Telnyx added later, a transfer's voicemail settings) is kept on change.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from django import forms
from django.core.validators import RegexValidator

from core.forms import JsonObjectField
from portal.converters import is_telnyx_id, is_telnyx_name

PREFIX = "definition"
WEBHOOK_METHODS = ["POST", "GET", "PUT", "PATCH", "DELETE"]
CARD_TYPES = ["visa", "mastercard", "amex", "maestro", "discover", "optima", "jcb", "diners-club", "enroute"]
FUNCTION_NAME = RegexValidator(r"^[a-zA-Z0-9_-]{1,64}$", "Letters, digits, _ and - only (what a model can call), up to 64.")
VARIABLE_NAME = re.compile(r"^(?!telnyx_)[a-zA-Z0-9._-]+$")


class SchemaField(JsonObjectField):
    """A JSON Schema (or other free-form object) typed as JSON; shown indented."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 5, "class": "mono", "spellcheck": "false"}))
        super().__init__(*args, empty={}, **kwargs)

    def prepare_value(self, value):
        return json.dumps(value, indent=2, ensure_ascii=False) if isinstance(value, dict) else value


class LinesField(forms.CharField):
    """A list of small objects typed one a line, `first<sep> second` (headers "Name: value",
    targets "+15551234567, Sales"): `keys` names the two parts; the first is required."""

    def __init__(self, *args, keys: tuple[str, str], sep: str = ":", check: Callable[[str], str] | None = None, **kwargs):
        self.keys, self.sep, self.check = keys, sep, check
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "class": "mono", "spellcheck": "false"}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            first, second = self.keys
            return "\n".join(f"{item.get(first, '')}{self.sep} {item[second]}" if item.get(second) else str(item.get(first, ""))
                             for item in value if isinstance(item, dict))
        return value

    def to_python(self, value) -> list[dict]:
        first, second = self.keys
        items = []
        for number, line in enumerate((super().to_python(value) or "").splitlines(), start=1):
            if not line.strip():
                continue
            head, _, tail = line.partition(self.sep)
            head, tail = head.strip(), tail.strip()
            if not head:
                raise forms.ValidationError(f"Line {number}: give the {first} before “{self.sep}”.")
            problem = self.check(head) if self.check else ""
            if problem:
                raise forms.ValidationError(f"Line {number}: {problem}")
            items.append({first: head, **({second: tail} if tail else {})})
        return items


class DefinitionForm(forms.Form):
    """A type's settings. Subclasses declare fields named as the API's keys."""

    def __init__(self, data=None, *, original: dict | None = None, **kwargs):
        self.original = dict(original or {})
        super().__init__(data, prefix=PREFIX, initial=self.initial_from(self.original), **kwargs)

    def initial_from(self, stored: dict) -> dict:
        return {name: stored.get(name) for name in self.base_fields}

    def api_value(self, name: str, value: Any) -> Any:
        return value

    def definition(self) -> dict:
        """The stored object with what the form shows put in (an emptied value removed)."""
        merged = dict(self.original)
        for name in self.base_fields:
            value = self.api_value(name, self.cleaned_data.get(name))
            if value in (None, "", [], {}):
                merged.pop(name, None)
            else:
                merged[name] = value
        return merged


class WebhookForm(DefinitionForm):
    name = forms.CharField(max_length=64, validators=[FUNCTION_NAME], help_text="What the assistant calls, e.g. order_status.")
    description = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="When to call it: the assistant reads this.")
    url = forms.URLField(max_length=2000, assume_scheme="https", label="URL",
                         help_text="May hold {placeholders} filled from the path parameters, e.g. https://example.com/orders/{id}.")
    method = forms.ChoiceField(choices=[(m, m) for m in WEBHOOK_METHODS], initial="POST")
    headers = LinesField(keys=("name", "value"), help_text="One a line, “Name: value”; values may use {{#integration_secret}}…{{/integration_secret}}.")
    body_parameters = SchemaField(label="Body parameters", help_text='JSON Schema, e.g. {"type": "object", "properties": {"order_id": {"type": "string"}}}')
    query_parameters = SchemaField(label="Query parameters", help_text="JSON Schema of the query string's values.")
    path_parameters = SchemaField(label="Path parameters", help_text="JSON Schema of the URL's {placeholders}.")

    def initial_from(self, stored: dict) -> dict:
        return {**super().initial_from(stored), "method": stored.get("method") or "POST"}

    def clean(self):
        data = super().clean()
        placeholders = set(re.findall(r"{(\w+)}", data.get("url") or ""))
        declared = set(((data.get("path_parameters") or {}).get("properties") or {}).keys())
        if placeholders - declared and "path_parameters" not in self.errors:
            self.add_error("path_parameters", f"The URL's {{{', '.join(sorted(placeholders - declared))}}} need a property here each.")
        return data


class FunctionForm(DefinitionForm):
    name = forms.CharField(max_length=64, validators=[FUNCTION_NAME])
    description = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    parameters = SchemaField(help_text="JSON Schema of the arguments the assistant passes.")


class ClientSideToolForm(FunctionForm):
    description = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="When to call it: the widget runs it in the caller's browser.")
    parameters = SchemaField(required=True, help_text="JSON Schema of the arguments (required, may be {\"type\": \"object\"}).")


class HandoffForm(DefinitionForm):
    """Targets picked from the cached assistants; an entry whose id the portal cannot use is kept
    as it is (named in the help), a stored one the cache does not hold stays offered, marked."""

    ai_assistants = forms.MultipleChoiceField(label="Hand over to", widget=forms.CheckboxSelectMultiple,
                                              help_text="The assistants this one may pass the conversation to.")
    voice_mode = forms.ChoiceField(required=False, choices=[("", "Telnyx default"), ("unified", "unified: one voice"),
                                                            ("distinct", "distinct: each assistant its own voice")])

    def __init__(self, *args, assistants: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        stored = [t for t in self.original.get("ai_assistants") or [] if isinstance(t, dict)]
        offered = dict(assistants)
        choices = list(assistants) + [(t["id"], f"{t.get('name') or t['id']} (not in the cached list)")
                                      for t in stored if is_telnyx_id(t.get("id")) and t["id"] not in offered]
        self.fields["ai_assistants"].choices = choices
        self.fields["ai_assistants"].error_messages["invalid_choice"] = "“%(value)s” is not an assistant the portal lists."
        self.unusable = [t for t in stored if not is_telnyx_id(t.get("id"))]
        if self.unusable:
            self.fields["ai_assistants"].help_text += f" Kept as they are: {len(self.unusable)} with an id the portal cannot use."
        self.names = {**{t["id"]: t.get("name") for t in stored if is_telnyx_id(t.get("id"))}, **offered}

    def initial_from(self, stored: dict) -> dict:
        targets = [t for t in stored.get("ai_assistants") or [] if isinstance(t, dict) and is_telnyx_id(t.get("id"))]
        return {"ai_assistants": [t["id"] for t in targets], "voice_mode": stored.get("voice_mode") or ""}

    def api_value(self, name: str, value: Any) -> Any:
        if name == "ai_assistants":
            return [{"id": i, "name": self.names.get(i) or i} for i in value or []] + self.unusable
        return value


class InviteForm(DefinitionForm):
    targets = LinesField(keys=("to", "name"), sep=",", help_text="One a line, “+15551234567, Sales” (the name is optional).")
    custom_headers = LinesField(keys=("name", "value"), label="Custom SIP headers", help_text="One a line, “X-Name: value”.")


class PayForm(DefinitionForm):
    connector_name = forms.CharField(max_length=200, help_text="A pay connector configured in your Telnyx account.")
    description = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    currency = forms.CharField(required=False, max_length=3, validators=[RegexValidator(r"^[A-Z]{3}$", "Three capital letters, e.g. USD.")])
    payment_method = forms.CharField(required=False, max_length=50, help_text="e.g. credit-card")
    valid_card_types = forms.MultipleChoiceField(required=False, choices=[(c, c) for c in CARD_TYPES], widget=forms.CheckboxSelectMultiple,
                                                 label="Accepted cards", help_text="None ticked: every card type.")
    connector_parameters = SchemaField(label="Connector parameters", help_text="Key/value JSON sent to the connector; values may use {{dynamic_variables}}.")


class RetrievalForm(DefinitionForm):
    bucket_ids = forms.MultipleChoiceField(label="Buckets", widget=forms.CheckboxSelectMultiple,
                                           help_text="The embedded buckets the assistant answers from.")
    max_num_results = forms.IntegerField(required=False, min_value=1, max_value=100, label="Results per question")

    def __init__(self, *args, buckets: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        stored = [b for b in self.original.get("bucket_ids") or [] if isinstance(b, str)]
        self.unusable = [b for b in stored if not is_telnyx_name(b)]
        choices = [(b, b) for b in buckets] + [(b, f"{b} (not in the cached list)") for b in stored if is_telnyx_name(b) and b not in buckets]
        self.fields["bucket_ids"].choices = choices
        self.fields["bucket_ids"].error_messages["invalid_choice"] = "“%(value)s” is not a bucket the portal lists."
        if self.unusable:
            self.fields["bucket_ids"].help_text += f" Kept as they are: {len(self.unusable)} with a name the portal cannot use."

    def initial_from(self, stored: dict) -> dict:
        return {"bucket_ids": [b for b in stored.get("bucket_ids") or [] if is_telnyx_name(b)],
                "max_num_results": stored.get("max_num_results")}

    def api_value(self, name: str, value: Any) -> Any:
        return [*(value or []), *self.unusable] if name == "bucket_ids" else value


def _variable_problem(name: str) -> str:
    return "" if VARIABLE_NAME.match(name) else f"“{name}” must be letters, digits, . _ - and not start with telnyx_."


class UpdateDynamicVariablesForm(DefinitionForm):
    name = forms.CharField(max_length=64, validators=[FUNCTION_NAME])
    description = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="When to call it and which variables to update.")
    updatable_variables = LinesField(keys=("name", "description"), required=True, label="Variables it may set", check=_variable_problem,
                                     help_text="One a line, “name: what to capture”; at least one.")

    def initial_from(self, stored: dict) -> dict:
        return {**super().initial_from(stored), "updatable_variables": stored.get("updatable_variables") or []}

    def api_value(self, name: str, value: Any) -> Any:
        if name == "updatable_variables":  # keep each stored variable's other keys (its `type`)
            stored = {v.get("name"): v for v in self.original.get("updatable_variables") or [] if isinstance(v, dict)}
            return [{**stored.get(v["name"], {}), **v} for v in value or []]
        return value


class VisionForm(DefinitionForm):
    max_frame_age_secs = forms.IntegerField(required=False, min_value=1, max_value=3600, label="Oldest frame (seconds)",
                                            help_text="Frames older than this are not shown to the assistant.")


FORMS: dict[str, type[DefinitionForm]] = {
    "webhook": WebhookForm, "function": FunctionForm, "client_side_tool": ClientSideToolForm, "handoff": HandoffForm,
    "invite": InviteForm, "pay": PayForm, "retrieval": RetrievalForm, "update_dynamic_variables": UpdateDynamicVariablesForm,
    "vision": VisionForm,
}



def definition_form(kind: str, data=None, *, original: dict | None = None, assistants=(), buckets=()) -> DefinitionForm:
    """The settings form of `kind` (one of FORMS), bound to `data` when given."""
    form_class = FORMS[kind]
    extra = {"assistants": list(assistants)} if form_class is HandoffForm else {"buckets": list(buckets)} if form_class is RetrievalForm else {}
    return form_class(data, original=original, **extra)


def settings_kind(form: DefinitionForm) -> str:
    """The type a settings form is for."""
    return next(kind for kind, form_class in FORMS.items() if type(form) is form_class)
