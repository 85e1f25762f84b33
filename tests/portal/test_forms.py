"""Telnyx's 422 pointers land on the form field they name, however deep."""

from django import forms

from core.forms import add_telnyx_errors
from portal.telnyx import UnprocessableEntityError
from portal.telnyx.errors import ErrorDetail


class VoiceForm(forms.Form):
    name = forms.CharField()
    voice_settings_voice = forms.CharField()
    from_ = forms.CharField()


def bound() -> VoiceForm:
    form = VoiceForm({"name": "n", "voice_settings_voice": "v", "from_": "+1"})
    assert form.is_valid()
    return form


def error(*details: ErrorDetail) -> UnprocessableEntityError:
    return UnprocessableEntityError(status=422, errors=list(details))


def test_a_deep_pointer_lands_on_its_flattened_field():
    form = bound()
    add_telnyx_errors(form, error(ErrorDetail(detail="Unknown voice", pointer="/voice_settings/voice")))
    assert form.errors["voice_settings_voice"] == ["Unknown voice"]
    assert "Unknown voice" in form.non_field_errors()[0]


def test_field_map_renames_and_unknown_pointers_go_on_top_only():
    form = bound()
    add_telnyx_errors(form, error(ErrorDetail(detail="Bad number", pointer="/from"),
                                  ErrorDetail(detail="Odd thing", pointer="/nowhere/deep")),
                      field_map={"from": "from_"})
    assert form.errors["from_"] == ["Bad number"]
    assert "nowhere" not in form.errors and "Odd thing" in form.non_field_errors()[0]


def test_a_parameter_error_and_a_bare_error_are_both_readable():
    form = bound()
    add_telnyx_errors(form, error(ErrorDetail(detail="Name taken", parameter="name")))
    assert form.errors["name"] == ["Name taken"]
    form = bound()
    add_telnyx_errors(form, UnprocessableEntityError(status=422))
    assert form.non_field_errors() == ["Telnyx could not accept these values (422)."]
