from __future__ import annotations

import json

from django import forms
from django.core.validators import URLValidator

from core.changelist import FilterForm
from core.forms import IdempotentForm
from shared_tools.services import TOOL_TYPES

# Tools that wait on an outside answer (webhooks) give up after this long; Telnyx's own cap.
MAX_TIMEOUT_MS = 60_000


class SharedToolFilterForm(FilterForm):
    type = forms.ChoiceField(required=False)

    filter_lookups = {"type": "type"}
    search_fields = ["display_name", "telnyx_id"]

    def __init__(self, *args, type_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "All types"), *type_choices]


class SharedToolForm(IdempotentForm):
    display_name = forms.CharField(max_length=300, label="Name")
    type = forms.ChoiceField(choices=[(k, label) for k, (label, _) in TOOL_TYPES.items()],
                             help_text="Every type the Telnyx SDK defines for the shared library.")
    definition = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10, "class": "mono", "spellcheck": "false"}), label="Configuration",
        help_text="The type's settings as a JSON object, e.g. for a webhook "
                  '{"name": "order_status", "description": "Look up an order", "url": "https://…"}.')
    timeout_ms = forms.IntegerField(required=False, min_value=1, max_value=MAX_TIMEOUT_MS, label="Timeout (ms)",
                                    help_text="How long the assistant waits for the tool; empty for Telnyx's default.")

    def clean_definition(self) -> dict:
        try:
            value = json.loads(self.cleaned_data["definition"])
        except ValueError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc}") from exc
        if not isinstance(value, dict):
            raise forms.ValidationError("Give a JSON object ({…}).")
        return value

    def clean(self):
        data = super().clean()
        kind, definition = data.get("type"), data.get("definition")
        if kind and isinstance(definition, dict):
            missing = [name for name in TOOL_TYPES[kind][1] if definition.get(name) in (None, "", [])]
            if missing:
                self.add_error("definition", f"A {kind} tool needs: {', '.join(missing)}.")
            url = definition.get("url")
            if kind == "webhook" and url:
                try:
                    URLValidator(schemes=["https", "http"])(str(url))
                except forms.ValidationError:
                    self.add_error("definition", "The webhook's url must be an http(s) URL.")
            if kind == "handoff" and not isinstance(definition.get("ai_assistants", []), list):
                self.add_error("definition", "ai_assistants must be a list of {id, name} objects.")
        return data

    def to_body(self) -> dict:
        data = self.cleaned_data
        body = {"display_name": data["display_name"], "type": data["type"], data["type"]: data["definition"]}
        if data.get("timeout_ms"):
            body["timeout_ms"] = data["timeout_ms"]
        return body

    @classmethod
    def initial_from(cls, tool: dict) -> dict:
        return {"display_name": tool.get("display_name", ""), "type": tool.get("type", ""),
                "definition": json.dumps(tool.get("tool_definition") or {}, indent=2),
                "timeout_ms": tool.get("timeout_ms")}


class AttachForm(forms.Form):
    assistant_id = forms.ChoiceField(label="Assistant")

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assistant_id"].choices = [("", "Choose an assistant"), *choices]


class MoveForm(IdempotentForm):
    pass
