from __future__ import annotations

from django import forms

from core.changelist import FilterForm
from core.forms import IdempotentForm


class McpServerFilterForm(FilterForm):
    type = forms.ChoiceField(required=False)

    filter_lookups = {"type": "type"}
    search_fields = ["name", "url", "telnyx_id"]

    def __init__(self, *args, type_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "All types"), *type_choices]


# The MCP transports; Telnyx takes `type` as a free string, so a server saved with another
# value keeps it as an extra choice when edited.
TRANSPORTS = [("http", "Streamable HTTP (http)"), ("sse", "Server-sent events (sse)")]


class McpServerForm(IdempotentForm):
    name = forms.CharField(max_length=300)
    type = forms.ChoiceField(choices=TRANSPORTS, initial="http", label="Transport",
                             help_text="How the assistant talks to the server.")
    url = forms.URLField(max_length=1000, assume_scheme="https", label="URL")
    allowed_tools = forms.CharField(required=False, max_length=2000,
                                    help_text="Comma-separated tool names; leave empty to allow every tool.")
    api_key_ref = forms.CharField(required=False, max_length=300, label="API key reference",
                                  help_text="The identifier of an integration secret holding the server's key (never the key itself).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.initial.get("type")
        if current and current not in dict(TRANSPORTS):
            self.fields["type"].choices = [*TRANSPORTS, (current, current)]

    def clean_allowed_tools(self) -> list[str]:
        raw = self.cleaned_data.get("allowed_tools") or ""
        return [t.strip() for t in raw.split(",") if t.strip()]

    def to_body(self) -> dict:
        data = self.cleaned_data
        body = {"name": data["name"], "type": data["type"], "url": data["url"],
                "allowed_tools": data["allowed_tools"] or None}
        if data.get("api_key_ref"):
            body["api_key_ref"] = data["api_key_ref"]
        return body

    @classmethod
    def initial_from(cls, server: dict) -> dict:
        return {"name": server.get("name", ""), "type": server.get("type", ""), "url": server.get("url", ""),
                "allowed_tools": ", ".join(server.get("allowed_tools") or []),
                "api_key_ref": server.get("api_key_ref") or ""}
