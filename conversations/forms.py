from django import forms

from core.changelist import FilterForm


class ConversationFilterForm(FilterForm):
    assistant = forms.ChoiceField(required=False, label="By assistant")
    channel = forms.ChoiceField(required=False, label="By channel")
    since = forms.DateField(required=False, label="Created since", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="Created until", widget=forms.DateInput(attrs={"type": "date"}))

    filter_lookups = {
        "assistant": "assistant_id",
        "channel": "channel",
        "since": "created_at__date__gte",
        "until": "created_at__date__lte",
    }
    search_fields = ["telnyx_id", "name", "assistant_version_id"]

    def __init__(self, *args, assistant_choices=(), channel_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assistant"].choices = [("", "All assistants"), *assistant_choices]
        self.fields["channel"].choices = [("", "All channels"), *channel_choices]
