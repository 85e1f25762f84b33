"""A free-text setting with a picker: the choices Telnyx can list (cached, registered through
`assistants.hooks.register_picker`) offered in a <datalist> under the box, each labelled by its
name; an id typed by hand (one not cached yet) is still accepted."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html, format_html_join


class PickerInput(forms.TextInput):
    def __init__(self, choices: list[tuple[str, str]], attrs=None):
        super().__init__(attrs)
        self.choices = choices

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or name}-choices"
        box = super().render(name, value, {**(attrs or {}), "list": list_id, "autocomplete": "off"}, renderer)
        options = format_html_join("", '<option value="{}">{}</option>', self.choices)
        return format_html('{}<datalist id="{}">{}</datalist>', box, list_id, options)


def attach_pickers(form: forms.Form, choices_for) -> None:
    """Give each field with registered choices a picker (and say how many there are)."""
    for name, field in form.fields.items():
        choices = choices_for(name)
        if choices:
            field.widget = PickerInput(choices, attrs=field.widget.attrs)
            field.help_text = (field.help_text + " " if field.help_text else "") + \
                f"Type to pick one of the {len(choices)} Telnyx has (by name), or paste an id."
