"""What a form was loaded from, carried in the form itself so a stale save can be refused.

Telnyx gives no `updated_at` on an assistant or a version (a version edited in place even
keeps its id), so the form carries the object it was built from: signed (it cannot be forged
into "nothing changed") and compressed (instructions compress well). On save the service
compares it with what Telnyx has now; see `assistants.services.conflicts`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing

SALT = "assistants.loaded-from"
FIELD = "loaded_from"


def sign_loaded(obj: Any) -> str:
    return signing.dumps(obj, salt=SALT, compress=True)


def unsign_loaded(token: str) -> Any | None:
    """The object a form was loaded from; None if the form carried none (or a forged one)."""
    if not token:
        return None
    try:
        return signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None


class LoadedFromField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(widget=forms.HiddenInput, required=False, **kwargs)


def reload_from(form: forms.Form, obj: Any) -> None:
    """After a refused stale save: the re-rendered form was loaded from `obj` (what Telnyx
    has now), so saving again, having seen what changed, overwrites it deliberately."""
    form.data = form.data.copy()
    form.data[form.add_prefix(FIELD)] = sign_loaded(obj)


def loaded_of(form: forms.Form) -> Any | None:
    return unsign_loaded(form.data.get(form.add_prefix(FIELD), "")) if form.is_bound else None
