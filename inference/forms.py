from django import forms

from portal.changelist import FilterForm


class ModelFilterForm(FilterForm):
    organization = forms.ChoiceField(required=False, label="By organization")
    tier = forms.ChoiceField(required=False, label="By tier")
    recommended = forms.ChoiceField(
        required=False, label="For assistants", choices=[("", "All"), ("1", "Recommended only")]
    )

    filter_lookups = {"organization": "organization", "tier": "tier", "recommended": "recommended_for_assistants"}
    search_fields = ["telnyx_id", "organization"]

    def __init__(self, *args, organizations=(), tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", "All organizations"), *((o, o) for o in organizations)]
        self.fields["tier"].choices = [("", "All tiers"), *((t, t) for t in tiers)]
