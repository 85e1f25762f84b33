from __future__ import annotations

from django import forms

from core.changelist import PAGE_PARAM, PAGE_SIZE, Column, FilterForm, ordering, page_number
from core.forms import IdempotentForm
from shared_tools.search import FEW, of_type, search, search_count
from shared_tools.services import TOOL_TYPES

# Tools that wait on an outside answer (webhooks) give up after this long; Telnyx's own cap.
MAX_TIMEOUT_MS = 60_000


COLUMNS = [Column("name", "Name", "display_name"), Column("type", "Type", "type"),
           Column("created", "Created", "created_at")]
DEFAULT_SORT = "name"


class SharedToolFilterForm(FilterForm):
    type = forms.ChoiceField(required=False)

    # The type is applied with the search (`shared_tools.search.of_type`), shown as a chip as a lookup is.
    extra_filters = ["type"]
    # The name or the id holds the query: `shared_tools.search` (a trigram index), not plain icontains.
    search_fields: list[str] = []
    search_count_cap = 1000  # a word in most of 100,000 names: "1,000+ results", not a count of all
    assert search_count_cap <= FEW  # past FEW matches the probe answers the count (`search_count`)

    @classmethod
    def count(cls, active: dict, query: str) -> int | None:
        """The changelist's `count`: a search's total from its kept probe where it tells it."""
        return search_count(active, query, cap=cls.search_count_cap)

    def filter_queryset(self, queryset, active):
        data = getattr(self, "cleaned_data", {}) or {}
        query = (data.get("q") or "").strip()
        if data.get("type"):
            queryset = of_type(queryset, data["type"], query=query)
            active["type"] = data["type"]
        if not query:
            return queryset
        # The rows a page can show (the count comes from the probe) or, with a filter, the capped count reads.
        cap = self.search_count_cap
        rows = cap + 1 if data.get("type") else min(cap, page_number(self.data.get(PAGE_PARAM)) * PAGE_SIZE) + 1
        return search(queryset, query, order=self.order(), rows=rows)

    def order(self) -> tuple[str, str]:
        """The list's order, as `core.changelist.select` will set it from the same `sort`."""
        sort = (getattr(self, "cleaned_data", {}) or {}).get("sort") or DEFAULT_SORT
        return ordering(COLUMNS, sort if any(c.key == sort.lstrip("-") for c in COLUMNS) else DEFAULT_SORT)

    def __init__(self, *args, type_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "All types"), *type_choices]


class SharedToolForm(IdempotentForm):
    """What every shared tool has: a name, its type and a timeout. The type's own settings are
    its `shared_tools.definitions` form, shown under this one; `to_body(definition)` joins them."""

    display_name = forms.CharField(max_length=300, label="Name")
    type = forms.ChoiceField(choices=list(TOOL_TYPES.items()),
                             help_text="Every type the Telnyx SDK defines for the shared library.")
    timeout_ms = forms.IntegerField(required=False, min_value=1, max_value=MAX_TIMEOUT_MS, label="Timeout (ms)",
                                    help_text="How long the assistant waits for the tool; empty for Telnyx's default.")

    def __init__(self, *args, fixed_type: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_type:  # a saved tool keeps its type: its settings are that type's
            self.fields["type"].disabled = True
            self.fields["type"].help_text = "A saved tool keeps its type."

    def to_body(self, definition: dict) -> dict:
        data = self.cleaned_data
        body = {"display_name": data["display_name"], "type": data["type"], data["type"]: definition}
        if data.get("timeout_ms"):
            body["timeout_ms"] = data["timeout_ms"]
        return body

    @classmethod
    def initial_from(cls, tool: dict) -> dict:
        return {"display_name": tool.get("display_name", ""), "type": tool.get("type", ""), "timeout_ms": tool.get("timeout_ms")}


class AttachForm(forms.Form):
    assistant_id = forms.ChoiceField(label="Assistant")

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assistant_id"].choices = [("", "Choose an assistant"), *choices]


class MoveForm(IdempotentForm):
    pass
