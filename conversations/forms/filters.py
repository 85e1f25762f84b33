from django import forms
from django.db.models import Q

from conversations.insights import fields
from conversations.insights.fields import split, value_lookup
from conversations.search import search_condition
from core.changelist import FilterForm

#: What the call log shows by default: real traffic, test runs' conversations hidden.
TRAFFIC_CHOICES = [("", "Real traffic (tests hidden)"), ("all", "All, test runs included"), ("tests", "Test runs only")]


class ConversationFilterForm(FilterForm):
    traffic = forms.ChoiceField(required=False, label="Traffic", choices=TRAFFIC_CHOICES)
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
    extra_filters = ["traffic", "insight", "insight_field", "insight_value", "column"]
    # Searched by `search_condition` (names, caller prefix, transcript words), not plain icontains.
    search_fields: list[str] = []
    search_count_cap = 1000  # a common word in 100,000 transcripts: "1,000+ results", not a count of all

    def __init__(self, *args, assistant_choices=(), channel_choices=(), insight_choices=(), insight_fields=(),
                 assistant_names=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.assistant_names = assistant_names or {}
        # The insight score shown by default: the first score field ("score" itself first).
        scores = [v for v, _, kind in insight_fields if kind == "score"]
        self.default_column = next((v for v in scores if v.endswith(":score")), scores[0] if scores else "")
        self.fields["column"].initial = self.default_column
        if self.is_bound and "column" not in self.data:
            self.data = self.data.copy()
            self.data["column"] = self.default_column  # the select shows the column the list shows
        self.fields["assistant"].choices = [("", "All assistants"), *assistant_choices]
        self.fields["channel"].choices = [("", "All channels"), *channel_choices]
        self.fields["insight"].choices = [("", "Any or none"), *insight_choices]
        self.fields["insight_field"].choices = [("", "No field filter"), *((v, label) for v, label, _ in insight_fields)]
        self.fields["column"].choices = [("", "None"), *((v, label) for v, label, _ in insight_fields)]
        self.field_kinds = {v: kind for v, _, kind in insight_fields}
        self.field_labels = {v: label for v, label, _ in insight_fields}

    def clean(self):
        data = super().clean()
        chosen, raw = data.get("insight_field"), data.get("insight_value") or ""
        if chosen and raw:
            kind = self.field_kinds.get(chosen, "text")
            if value_lookup(split(chosen)[1], kind, raw) is None:
                self.add_error("insight_value", "Give yes or no." if kind == "flag" else "Give a number, e.g. >= 4.")
        return data

    @property
    def chosen_column(self) -> str:
        """The insight field shown as a column: the one asked for ("" for none), else the default."""
        if self.is_bound and "column" in self.data:
            return (getattr(self, "cleaned_data", {}) or {}).get("column") or ""
        return self.default_column

    @property
    def column_label(self) -> str:
        return self.field_labels.get(self.chosen_column, "")

    @property
    def column_short_label(self) -> str:
        """The column's header: its field alone ("score"), the template named in its title."""
        return self.column_label.rpartition(" · ")[2]

    @property
    def column_key(self) -> str:
        return split(self.chosen_column)[1]

    def search_condition(self, query: str) -> Q:
        """Name, id or version id, assistant name, caller number (prefix) and transcript words:
        any of them, each through its own index (see `conversations.search`)."""
        return search_condition(query, self.assistant_names)

    def filter_queryset(self, queryset, active):
        data = getattr(self, "cleaned_data", {}) or {}
        traffic = data.get("traffic") or ""
        if traffic != "all":
            queryset = queryset.filter(is_test=traffic == "tests")
        if traffic:
            active["traffic"] = traffic
        query = (data.get("q") or "").strip()
        if query:
            queryset = queryset.filter(self.search_condition(query))
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
        if self.chosen_column:
            queryset = fields.with_values(queryset, fields.split(self.chosen_column)[0])
            if data.get("column"):
                active["column"] = data["column"]
        return queryset
