"""The assistant list's filters and the Add assistant form."""

from __future__ import annotations

from django import forms

from core.changelist import FilterForm
from core.forms import IdempotentForm


class AssistantFilterForm(FilterForm):
    model = forms.ChoiceField(required=False, label="By model")
    tag = forms.ChoiceField(required=False, label="By tag")

    filter_lookups = {"model": "model", "tag": "tags_index__contains"}
    # Tags are stored as "|a|b|", so "|tag|" matches one whole tag.
    value_transforms = {"tag": lambda tag: f"|{tag}|"}
    search_fields = ["name", "telnyx_id", "instructions"]

    def __init__(self, *args, model_choices=(), tag_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "All models"), *model_choices]
        self.fields["tag"].choices = [("", "All tags"), *tag_choices]


class AssistantCreateForm(IdempotentForm):
    name = forms.CharField(max_length=300)
    model = forms.ChoiceField(help_text="From Telnyx's model catalogue; ★ marks models recommended for assistants.")
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="The system prompt: who the assistant is and how it should behave.",
    )
    description = forms.CharField(max_length=1000, required=False)
    tags = forms.CharField(required=False, max_length=500, help_text="Comma-separated, e.g. support, billing")

    def __init__(self, *args, model_choices=(), known_tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        offer_known_tags(self.fields["tags"], known_tags)
        if model_choices:
            self.fields["model"].choices = [("", "Choose a model…"), *model_choices]
        else:
            # The catalogue could not be loaded: let the admin type a model id.
            self.fields["model"] = forms.CharField(
                max_length=200,
                help_text="Telnyx's model catalogue could not be loaded; type a model id.",
            )

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        tags = []
        for tag in (t.strip() for t in raw.split(",")):
            if tag and tag not in tags:
                tags.append(tag)
        return tags

    def to_body(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "model": data["model"],
            "instructions": data["instructions"],
            "description": data.get("description") or "",
            "tags": data.get("tags") or [],
        }


# How many tags in use the tag editor lists under the field.
KNOWN_TAGS_SHOWN = 30


def offer_known_tags(field: forms.Field, known_tags) -> None:
    """List the tags in use (Telnyx's tag endpoint and the cache) under a tags field."""
    known = list(known_tags)
    if known:
        more = f" and {len(known) - KNOWN_TAGS_SHOWN} more" if len(known) > KNOWN_TAGS_SHOWN else ""
        field.help_text = f"Comma-separated. In use: {', '.join(known[:KNOWN_TAGS_SHOWN])}{more}."
