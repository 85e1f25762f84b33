"""Phone numbers as Telnyx takes them: E.164 ("+15551234567"), checked against Google's
libphonenumber metadata (phonenumberslite: country code and length), so "12" or "abc" never
reaches Telnyx."""

from __future__ import annotations

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError

HELP = "In international format with the country code, e.g. +15551234567."


def to_e164(value: str) -> str:
    """`value` as E.164, or ValidationError with a message saying what is wrong."""
    text = (value or "").strip()
    if not text.startswith("+"):
        raise ValidationError("Start with + and the country code, e.g. +15551234567.", code="e164")
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise ValidationError("This is not a phone number. " + HELP, code="e164") from None
    # "Possible" (the right length for its country code), not "valid": a range allocated after
    # this metadata, or the fictional +1 555 numbers of demos and tests, must not be refused
    # here; Telnyx has the last word on whether it can reach the number.
    if not phonenumbers.is_possible_number(number):
        raise ValidationError("This number has the wrong length for its country code. " + HELP, code="e164")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneNumberField(forms.CharField):
    """A text field that accepts a phone number typed with spaces or dashes and cleans it to E.164."""

    def __init__(self, *, allow_sip: bool = False, **kwargs):
        self.allow_sip = allow_sip
        kwargs.setdefault("max_length", 200 if allow_sip else 32)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "tel")
        self.widget.attrs.setdefault("autocomplete", "tel")

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        if self.allow_sip and value.strip().lower().startswith("sip:"):
            return value.strip()  # a SIP URI: Telnyx checks it
        return to_e164(value)
