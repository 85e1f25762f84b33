from django import forms

from core.changelist import FilterForm


class ConversationFilterForm(FilterForm):
    assistant = forms.ChoiceField(required=False, label="By assistant")
    version = forms.CharField(required=False, max_length=200, label="By version id",
                              help_text="The assistant version that served the conversation.")
    channel = forms.ChoiceField(required=False, label="By channel")
    since = forms.DateField(required=False, label="Created since", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="Created until", widget=forms.DateInput(attrs={"type": "date"}))
    insight = forms.ChoiceField(required=False, label="With a result of")
    insight_field = forms.ChoiceField(required=False, label="Insight field")
    insight_value = forms.CharField(required=False, max_length=100, label="Field value",
                                    help_text="yes/no, a number (>= 4, < 0.5) or the exact text")
    column = forms.ChoiceField(required=False, label="Show insight field as a column")

    filter_lookups = {
        "assistant": "assistant_id",
        "version": "assistant_version_id",
        "channel": "channel",
        "since": "created_at__date__gte",
        "until": "created_at__date__lte",
    }
    #: Filters applied by `filter_queryset` (subqueries on the insight results), shown as chips too.
    extra_filters = ["insight", "insight_field", "insight_value", "column"]
    search_fields = ["telnyx_id", "name", "assistant_version_id"]

    def __init__(self, *args, assistant_choices=(), channel_choices=(), insight_choices=(), insight_fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assistant"].choices = [("", "All assistants"), *assistant_choices]
        self.fields["channel"].choices = [("", "All channels"), *channel_choices]
        self.fields["insight"].choices = [("", "Any or none"), *insight_choices]
        self.fields["insight_field"].choices = [("", "No field filter"), *((v, label) for v, label, _ in insight_fields)]
        self.fields["column"].choices = [("", "None"), *((v, label) for v, label, _ in insight_fields)]
        self.field_kinds = {v: kind for v, _, kind in insight_fields}
        self.field_labels = {v: label for v, label, _ in insight_fields}

    def clean(self):
        from conversations.insights.fields import split, value_lookup

        data = super().clean()
        chosen, raw = data.get("insight_field"), data.get("insight_value") or ""
        if chosen and raw:
            kind = self.field_kinds.get(chosen, "text")
            if value_lookup(split(chosen)[1], kind, raw) is None:
                self.add_error("insight_value", "Give yes or no." if kind == "flag" else "Give a number, e.g. >= 4.")
        return data

    @property
    def column_label(self) -> str:
        return self.field_labels.get((getattr(self, "cleaned_data", {}) or {}).get("column") or "", "")

    @property
    def column_key(self) -> str:
        from conversations.insights.fields import split

        return split((getattr(self, "cleaned_data", {}) or {}).get("column") or "")[1]

    def filter_queryset(self, queryset, active):
        from conversations.insights import fields

        data = getattr(self, "cleaned_data", {}) or {}
        if data.get("insight"):
            queryset = fields.with_result(queryset, data["insight"])
            active["insight"] = data["insight"]
        chosen, raw = data.get("insight_field"), (data.get("insight_value") or "").strip()
        if chosen and raw:
            template_id, key = fields.split(chosen)
            lookup = fields.value_lookup(key, self.field_kinds.get(chosen, "text"), raw)
            if lookup:
                queryset = fields.with_value(queryset, template_id, lookup)
                active["insight_field"], active["insight_value"] = chosen, raw
        if data.get("column"):
            queryset = fields.with_values(queryset, fields.split(data["column"])[0])
            active["column"] = data["column"]
        return queryset
