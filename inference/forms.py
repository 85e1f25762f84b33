from django import forms

from core import json_input
from core.changelist import FilterForm
from core.forms import IdempotentForm


class JobFilterForm(FilterForm):
    status = forms.ChoiceField(required=False, label="By status")
    model = forms.ChoiceField(required=False, label="By base model")

    filter_lookups = {"status": "status", "model": "model"}
    search_fields = ["telnyx_id", "model", "training_file"]

    def __init__(self, *args, statuses=(), models=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "All statuses"), *((s, s.replace("_", " ")) for s in statuses)]
        self.fields["model"].choices = [("", "All models"), *((m, m) for m in models)]


class ModelFilterForm(FilterForm):
    organization = forms.ChoiceField(required=False, label="By organization")
    tier = forms.ChoiceField(required=False, label="By tier")
    recommended = forms.ChoiceField(
        required=False, label="For assistants", choices=[("", "All"), ("1", "Recommended only")]
    )

    filter_lookups = {"organization": "organization", "tier": "tier", "recommended": "recommended_for_assistants"}
    value_transforms = {"recommended": lambda value: value == "1"}
    search_fields = ["telnyx_id", "organization"]

    def __init__(self, *args, organizations=(), tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", "All organizations"), *((o, o) for o in organizations)]
        self.fields["tier"].choices = [("", "All tiers"), *((t, t) for t in tiers)]


#: The longest message the playground sends in one turn. Shown next to the box with a live
#: counter; a longer paste is kept whole and refused with a field error, never cut silently.
MESSAGE_LIMIT = 32_000


class ChatForm(forms.Form):
    model = forms.ChoiceField()
    system = forms.CharField(required=False, label="System prompt", widget=forms.Textarea(attrs={"rows": 3}))
    message = forms.CharField(label="Message", max_length=MESSAGE_LIMIT,
                              help_text=f"Up to {MESSAGE_LIMIT:,} characters; the counter below says how many you have.",
                              widget=forms.Textarea(attrs={"rows": 2, "data-limit": MESSAGE_LIMIT}))
    temperature = forms.FloatField(required=False, min_value=0, max_value=2, initial=0.7)
    max_tokens = forms.IntegerField(required=False, min_value=1, max_value=32000, label="Max tokens")
    # The conversation so far, carried by the page: the API is stateless.
    history = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, model_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = list(model_choices)
        self.fields["message"].widget.attrs.pop("maxlength", None)  # the browser would cut a paste silently

    def clean_history(self) -> list[dict]:
        raw = self.cleaned_data.get("history") or "[]"
        try:
            # The whole conversation rides along: longer than a typed field, as shallow as ever.
            history = json_input.parse(raw, max_depth=3, max_bytes=1024 * 1024)
        except ValueError:
            raise forms.ValidationError("The conversation could not be read; start a new one.") from None
        if not isinstance(history, list) or not all(
            isinstance(m, dict) and m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str)
            for m in history
        ):
            raise forms.ValidationError("The conversation could not be read; start a new one.")
        return history[-40:]


TRANSCRIPTION_MODELS = [
    "distil-whisper/distil-large-v2", "openai/whisper-large-v3-turbo", "deepgram/nova-2", "deepgram/nova-2-medical",
    "deepgram/nova-3", "deepgram/nova-3-medical", "nvidia/parakeet-v3", "omi-health/omi-med-stt-v1", "reson8/prerecorded",
]


class TranscribeForm(forms.Form):
    file = forms.FileField(required=False, label="Audio file", help_text="Up to 100 MB. Deepgram models take mp3 or wav only.")
    file_url = forms.URLField(required=False, label="…or an audio URL", assume_scheme="https")
    model = forms.ChoiceField(choices=[(m, m) for m in TRANSCRIPTION_MODELS], initial="openai/whisper-large-v3-turbo")
    language = forms.CharField(required=False, max_length=10, help_text="e.g. en, es; empty to detect")
    segments = forms.BooleanField(required=False, label="Show timed segments")

    def clean(self):
        data = super().clean()
        upload, url = data.get("file"), data.get("file_url")
        if bool(upload) == bool(url):
            raise forms.ValidationError("Give either an audio file or a URL, not both.")
        if upload and upload.size > 100 * 1024 * 1024:
            self.add_error("file", "The file is larger than 100 MB.")
        return data


class FineTuningForm(IdempotentForm):
    model = forms.ChoiceField(help_text="Only models Telnyx marks as fine-tunable.")
    training_file = forms.ChoiceField(label="Training data",
                                      help_text="A bucket of JSONL conversations, or one file of it.")
    n_epochs = forms.IntegerField(required=False, min_value=1, max_value=50, label="Epochs")
    suffix = forms.CharField(required=False, max_length=40, help_text="Added to the fine-tuned model's name.")

    def __init__(self, *args, model_choices=(), training_file_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = list(model_choices)
        self.fields["training_file"].choices = [("", "Choose training data…"), *training_file_choices]
