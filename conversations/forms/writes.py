"""Forms that write a conversation: create one, add a message, edit its metadata.

Metadata is `Dict[str, str]` in the API, edited as key/value rows (a formset with blank rows
to add keys), so every key, not only `ai_disabled`, can be changed from the portal.
"""

from __future__ import annotations

import re

from django import forms
from django.core import signing

from core.forms import IdempotentForm

MESSAGE_ROLES = [("user", "User (the end user)"), ("assistant", "Assistant"), ("tool", "Tool result")]
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:\-]+$")
BLANK_ROWS = 3
LOADED_SALT = "conversations.metadata-loaded-from"


class ConversationCreateForm(IdempotentForm):
    name = forms.CharField(required=False, max_length=300,
                           help_text="Optional: how the conversation is listed. Without it, the list shows “Untitled”.")


class MessageForm(IdempotentForm):
    role = forms.ChoiceField(choices=MESSAGE_ROLES, initial="user",
                             help_text="Who said it. Adding a message records it; the assistant does not answer it.")
    content = forms.CharField(max_length=4000, label="Message", widget=forms.Textarea(attrs={"rows": 3}))


class MetadataRowForm(forms.Form):
    key = forms.CharField(required=False, max_length=100, label="Key")
    value = forms.CharField(required=False, max_length=1000, label="Value")

    def clean(self):
        data = super().clean()
        key, value = (data.get("key") or "").strip(), data.get("value") or ""
        if not key and value:
            self.add_error("key", "Give this value a key.")
        elif key and not KEY_PATTERN.match(key):
            self.add_error("key", "Use letters, digits and _ . : - only.")
        data["key"] = key
        return data


class BaseMetadataFormSet(forms.BaseFormSet):
    def clean(self):
        seen: set[str] = set()
        for form in self.forms:
            key = getattr(form, "cleaned_data", {}).get("key")
            if key and key in seen:
                form.add_error("key", f"“{key}” is already set above.")
            seen.add(key)

    def metadata(self) -> dict[str, str]:
        """The rows as the API's metadata (rows without a key are blank rows, left out)."""
        return {f.cleaned_data["key"]: f.cleaned_data.get("value") or "" for f in self.forms
                if f.cleaned_data.get("key")}


MetadataFormSet = forms.formset_factory(MetadataRowForm, formset=BaseMetadataFormSet, extra=BLANK_ROWS, max_num=100,
                                        absolute_max=150, validate_max=True)


def metadata_formset(data=None, *, metadata: dict | None = None) -> BaseMetadataFormSet:
    """The editor: bound to a POST, or loaded with `metadata` as rows plus blank rows."""
    initial = [{"key": k, "value": str(v)} for k, v in sorted((metadata or {}).items())]
    return MetadataFormSet(data, initial=initial, prefix="meta")


def sign_loaded(metadata: dict) -> str:
    """What the editor was opened on, carried in the form so a stale save can be refused."""
    return signing.dumps(metadata, salt=LOADED_SALT)


def unsign_loaded(token: str) -> dict | None:
    try:
        value = signing.loads(token, salt=LOADED_SALT) if token else None
    except signing.BadSignature:
        return None
    return value if isinstance(value, dict) else None
