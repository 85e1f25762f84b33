"""Clone and import: each carries an Idempotency-Key, so a resubmission makes no twin."""

from __future__ import annotations

from django import forms

from core.changelist import FilterForm
from core.forms import IdempotentForm


class AssistantCloneForm(IdempotentForm):
    """Only the Idempotency-Key: a double-clicked Clone makes one copy."""


class AssistantImportForm(IdempotentForm):
    provider = forms.ChoiceField(choices=[("elevenlabs", "ElevenLabs"), ("vapi", "Vapi"), ("retell", "Retell")])
    api_key_ref = forms.CharField(
        max_length=200, label="API key reference",
        help_text="The identifier of the integration secret holding the provider's API key (not the key itself).",
    )
    import_ids = forms.CharField(
        required=False, max_length=2000, label="Only these agents",
        help_text="Comma-separated agent ids; empty imports every agent. Agents imported before are overwritten.",
    )

    def clean_import_ids(self) -> list[str]:
        return [i.strip() for i in (self.cleaned_data.get("import_ids") or "").split(",") if i.strip()]


class VersionFilterForm(FilterForm):
    """The Versions tab's search box (name or version id) and sort."""

    search_fields = ["name", "version_id"]
