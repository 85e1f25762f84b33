"""The assistant change form (also used to edit a version): settings in fieldsets, tool rows.

The form models the settings admins edit. `to_body(original)` sends only what changed, and
merges nested settings into the original's, so fields the form does not model are kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.validators import RegexValidator

from assistants import hooks
from assistants.forms.assistants import offer_known_tags
from assistants.forms.loaded import LoadedFromField, sign_loaded
from core import json_input
from core.forms import IdempotentForm
from portal.converters import is_telnyx_id
from portal.telnyx import TelnyxError

TOOL_TYPES = [
    "webhook", "function", "transfer", "hangup", "handoff", "retrieval", "send_dtmf", "send_message",
    "skip_turn", "vision", "pay", "update_dynamic_variables", "client_side_tool", "invite", "refer",
]
TRANSCRIPTION_MODELS = [
    "deepgram/flux", "deepgram/nova-3", "deepgram/nova-2", "speechmatics/standard", "speechmatics/linden-1",
    "azure/fast", "assemblyai/universal-3-5-pro", "assemblyai/universal-streaming", "xai/grok-stt",
    "soniox/stt-rt-v4", "soniox/stt-rt-v5", "nvidia/parakeet-v3", "omi-health/omi-med-stt-v1", "humain/realtime",
    "reson8/turns", "cohere/ar-stt", "telnyx/basira", "distil-whisper/distil-large-v2",
    "openai/whisper-large-v3-turbo",
]
# The streaming models, the only ones that may stand in for another (SDK: TranscriptionSettings.fallback_models).
STREAMING_TRANSCRIPTION_MODELS = [
    "deepgram/flux", "deepgram/nova-3", "deepgram/nova-2", "assemblyai/universal-3-5-pro",
    "assemblyai/universal-streaming", "xai/grok-stt", "soniox/stt-rt-v4", "soniox/stt-rt-v5", "humain/realtime",
    "reson8/turns",
]
MAX_TRANSCRIPTION_FALLBACKS = 3
NOISE_SUPPRESSION = ["aicoustics", "krisp", "deepfilternet", "disabled"]
VOICEMAIL_ACTIONS = ["stop_assistant", "leave_message_and_stop_assistant", "continue_assistant"]
WEBHOOK_METHODS = ["POST", "GET", "PUT", "PATCH", "DELETE"]

# Top-level fields the form edits as a whole value.
TOP_LEVEL_FIELDS = ["name", "description", "model", "instructions", "greeting", "tags", "dynamic_variables"]
# (API object, key inside it) → form field. Paths with three parts are nested one level deeper.
NESTED_FIELDS: dict[tuple[str, ...], str] = {
    ("voice_settings", "voice"): "voice",
    ("voice_settings", "voice_speed"): "voice_speed",
    ("transcription", "model"): "transcription_model",
    ("transcription", "language"): "transcription_language",
    ("telephony_settings", "time_limit_secs"): "time_limit_secs",
    ("telephony_settings", "user_idle_timeout_secs"): "user_idle_timeout_secs",
    ("telephony_settings", "noise_suppression"): "noise_suppression",
    ("telephony_settings", "voicemail_detection", "on_voicemail_detected", "action"): "voicemail_action",
    ("messaging_settings", "default_messaging_profile_id"): "default_messaging_profile_id",
    ("messaging_settings", "conversation_inactivity_minutes"): "conversation_inactivity_minutes",
    ("insight_settings", "insight_group_id"): "insight_group_id",
    ("privacy_settings", "data_retention"): "data_retention",
    ("privacy_settings", "pii_redaction"): "pii_redaction",
    ("privacy_settings", "in_transit_data_locality"): "in_transit_data_locality",
    ("transcription", "fallback_models"): "transcription_fallback_models",
    ("fallback_config", "model"): "fallback_model",
    ("fallback_config", "llm_api_key_ref"): "fallback_llm_api_key_ref",
    ("observability_settings", "status"): "observability_status",
    ("observability_settings", "host"): "observability_host",
    ("observability_settings", "public_key_ref"): "observability_public_key_ref",
    ("observability_settings", "secret_key_ref"): "observability_secret_key_ref",
    ("observability_settings", "prompt_sync"): "observability_prompt_sync",
    ("observability_settings", "prompt_name"): "observability_prompt_name",
    ("observability_settings", "prompt_label"): "observability_prompt_label",
}
NESTED_OBJECTS = sorted({path[0] for path in NESTED_FIELDS})
MODELED_KEYS = set(TOP_LEVEL_FIELDS) | set(NESTED_OBJECTS) | {"tools"}
# Identity and bookkeeping: shown elsewhere, never sent.
META_KEYS = {"id", "created_at", "version_id", "version_name", "version_created_at"}

FIELDSETS = [
    ("Basics", ["name", "description", "model", "tags"]),
    ("Behaviour", ["instructions", "greeting", "dynamic_variables"]),
    ("Voice", ["voice", "voice_speed"]),
    ("Transcription", ["transcription_model", "transcription_language", "transcription_fallback_models"]),
    ("Fallback model", ["fallback_model", "fallback_llm_api_key_ref"]),
    ("Telephony", ["time_limit_secs", "user_idle_timeout_secs", "noise_suppression", "voicemail_action"]),
    ("Messaging", ["default_messaging_profile_id", "conversation_inactivity_minutes"]),
    ("Insights", ["insight_group_id"]),
    ("MCP servers", ["mcp_servers", "mcp_server_tools"]),
    ("Integrations", ["integrations", "integration_tools"]),
    ("Privacy", ["data_retention", "pii_redaction", "in_transit_data_locality"]),
    ("Observability (Langfuse)", ["observability_status", "observability_host", "observability_public_key_ref",
                                  "observability_secret_key_ref", "observability_prompt_sync", "observability_prompt_name",
                                  "observability_prompt_label"]),
]


@dataclass(frozen=True)
class AttachedList:
    """An assistant's list of things attached by id (SDK: AssistantMcpServer, AssistantIntegration),
    each with an optional allowlist of the tools it offers; picked from what another app lists."""

    key: str  # the assistant's list, and the assistants.hooks offer name
    id_key: str
    tools_key: str
    tools_field: str
    noun: str


ATTACHED_LISTS = [
    AttachedList("mcp_servers", "id", "allowed_tools", "mcp_server_tools", "MCP server"),
    AttachedList("integrations", "integration_id", "allowed_list", "integration_tools", "connected integration"),
]
# A tool choice is "<id>/<tool name>": an id the portal uses never holds a "/" (portal.converters).
TOOL_CHOICE_SEPARATOR = "/"


def _attached(payload: dict, spec: AttachedList) -> list[dict]:
    return [e for e in payload.get(spec.key) or [] if isinstance(e, dict)] if isinstance(payload.get(spec.key), list) else []


def _choices(values: list[str], blank: str = "Not set") -> list[tuple[str, str]]:
    return [("", blank), *((v, v) for v in values)]


def _dig(data: dict, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _put(data: dict, path: tuple[str, ...], value: Any) -> None:
    """Set (or, for None/"", remove) `value` at `path`, creating dicts on the way."""
    for key in path[:-1]:
        if not isinstance(data.get(key), dict):
            data[key] = {}
        data = data[key]
    if value in (None, ""):
        data.pop(path[-1], None)
    else:
        data[path[-1]] = value


def _prune_empty(data: dict) -> dict:
    """Drop the dicts along modeled paths that a removal left empty (e.g. voicemail_detection
    with no action left), and top-level objects with nothing in them. Other dicts stay."""
    for path in NESTED_FIELDS:
        for depth in range(len(path) - 1, 0, -1):
            parent = _dig(data, path[: depth - 1]) if depth > 1 else data
            if isinstance(parent, dict) and parent.get(path[depth - 1]) == {}:
                del parent[path[depth - 1]]
    return data


class JSONObjectField(forms.CharField):
    """A textarea holding a JSON value of one expected type (dict or list)."""

    def __init__(self, *args, expect: type = dict, **kwargs):
        self.expect = expect
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4, "class": "mono"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, (dict, list)):
            return json.dumps(value, indent=2, ensure_ascii=False)
        return value

    def to_python(self, value):
        text = (super().to_python(value) or "").strip()
        if not text:
            return self.expect()
        try:
            parsed = json_input.parse(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if not isinstance(parsed, self.expect):
            kind = "an object {…}" if self.expect is dict else "a list […]"
            raise forms.ValidationError(f"Must be {kind}.")
        return parsed


class AssistantChangeForm(IdempotentForm):
    """The settings; carries its Idempotency-Key and the object it was loaded from (hidden)."""

    loaded_from = LoadedFromField()
    name = forms.CharField(max_length=300)
    description = forms.CharField(max_length=1000, required=False)
    model = forms.ChoiceField(required=False, help_text="★ marks models recommended for assistants.")
    tags = forms.CharField(required=False, max_length=500, help_text="Comma-separated, e.g. support, billing")
    instructions = forms.CharField(widget=forms.Textarea(attrs={"rows": 16}))
    greeting = forms.CharField(
        required=False, max_length=2000,
        help_text="Empty: wait for the caller to speak first.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    dynamic_variables = JSONObjectField(
        label="Dynamic variables", help_text='Key/value JSON object, e.g. {"company": "Acme"}.'
    )
    # Free text on purpose: the Telnyx API this portal uses lists no voices and no messaging
    # profiles (neither is in /work/shared/telnyx-api.md), so there is nothing to pick from.
    voice = forms.CharField(
        required=False, max_length=200, validators=[RegexValidator(
            r"^[A-Za-z0-9]+(\.[\w:+-]+)+$", "A voice is Provider.Model.Voice, e.g. Telnyx.KokoroTTS.af_heart.")],
        help_text="Provider.Model.Voice, e.g. Telnyx.KokoroTTS.af_heart or AWS.Polly.Joanna. Typed, not picked: "
                  "the Telnyx AI API has no endpoint that lists voices; copy the name from the Telnyx portal's voice list.")
    voice_speed = forms.FloatField(required=False, min_value=0.1, max_value=4.0)
    transcription_model = forms.ChoiceField(required=False, choices=_choices(TRANSCRIPTION_MODELS), label="Model")
    transcription_language = forms.CharField(required=False, max_length=20, label="Language", help_text="e.g. en")
    time_limit_secs = forms.IntegerField(required=False, min_value=1, label="Time limit (seconds)")
    user_idle_timeout_secs = forms.IntegerField(required=False, min_value=1, label="User idle timeout (seconds)")
    noise_suppression = forms.ChoiceField(required=False, choices=_choices(NOISE_SUPPRESSION))
    voicemail_action = forms.ChoiceField(
        required=False, choices=_choices(VOICEMAIL_ACTIONS), label="When voicemail is detected"
    )
    default_messaging_profile_id = forms.CharField(
        required=False, max_length=200, label="Default messaging profile id",
        validators=[RegexValidator(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                                   "A messaging profile id is a UUID, e.g. 400174d5-9bd9-4e8c-8c5e-1a2b3c4d5e6f.")],
        help_text="The profile's id (a UUID). Typed, not picked: the Telnyx AI API has no endpoint that lists messaging "
                  "profiles; copy it from Messaging → Profiles in the Telnyx portal.")
    conversation_inactivity_minutes = forms.IntegerField(required=False, min_value=1)
    insight_group_id = forms.CharField(required=False, max_length=200, label="Insight group",
                                       help_text="Telnyx computes this group's insights for every conversation.")
    data_retention = forms.NullBooleanField(
        required=False, widget=forms.Select(choices=[("unknown", "Not set"), ("true", "Yes"), ("false", "No")])
    )
    pii_redaction = forms.ChoiceField(required=False, choices=_choices(["disabled", "redact"]), label="PII redaction",
                                      help_text="redact: stored transcripts and insights hold <PII:type/> placeholders.")
    in_transit_data_locality = forms.NullBooleanField(
        required=False, label="Serve web chat in-region only",
        widget=forms.Select(choices=[("unknown", "Not set"), ("true", "Yes"), ("false", "No")]),
        help_text="Every model call of a web chat turn stays in your data-locality region (needs Telnyx-hosted models).")
    transcription_fallback_models = forms.MultipleChoiceField(
        required=False, choices=[(m, m) for m in STREAMING_TRANSCRIPTION_MODELS], label="Fallback models",
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=f"Up to {MAX_TRANSCRIPTION_FALLBACKS} streaming models that take over, in this order, when the model fails.")
    fallback_model = forms.ChoiceField(required=False, label="Fallback LLM",
                                       help_text="The Telnyx-hosted model used when the primary provider is unavailable.")
    fallback_llm_api_key_ref = forms.CharField(required=False, max_length=200, label="Fallback API key reference",
                                               help_text="An integration secret's identifier, never the key itself.")
    observability_status = forms.ChoiceField(required=False, choices=_choices(["enabled", "disabled"]), label="Tracing")
    observability_host = forms.URLField(required=False, max_length=500, assume_scheme="https", label="Langfuse host",
                                        help_text="e.g. https://cloud.langfuse.com")
    observability_public_key_ref = forms.CharField(required=False, max_length=200, label="Public key reference")
    observability_secret_key_ref = forms.CharField(required=False, max_length=200, label="Secret key reference",
                                                   help_text="Integration secret identifiers, never the keys themselves.")
    observability_prompt_sync = forms.ChoiceField(required=False, choices=_choices(["enabled", "disabled"]),
                                                  label="Prompt sync",
                                                  help_text="Publish the instructions as a Langfuse prompt on every save.")
    observability_prompt_name = forms.CharField(required=False, max_length=200, label="Prompt name")
    observability_prompt_label = forms.CharField(required=False, max_length=100, label="Prompt label")
    mcp_servers = forms.MultipleChoiceField(required=False, label="Attached MCP servers", widget=forms.CheckboxSelectMultiple,
                                            help_text="The servers whose tools the assistant may call (from the MCP servers list).")
    mcp_server_tools = forms.MultipleChoiceField(required=False, label="Allowed tools", widget=forms.CheckboxSelectMultiple,
                                                 help_text="Per server: tick none to allow every tool the server allows.")
    integrations = forms.MultipleChoiceField(required=False, label="Attached integrations", widget=forms.CheckboxSelectMultiple,
                                             help_text="The account's connected integrations (Integrations page).")
    integration_tools = forms.MultipleChoiceField(required=False, label="Allowed tools", widget=forms.CheckboxSelectMultiple,
                                                  help_text="Per integration: tick none to allow every tool its connection allows.")
    version_name = forms.CharField(
        required=False, max_length=200,
        help_text="Names the version this save creates, e.g. “shorter greeting”.",
    )

    fieldsets = FIELDSETS

    def __init__(self, *args, model_choices=(), current_model: str = "", known_tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        #: why a list could not be offered now ({key: reason}); such a list is kept as it is
        self.unlisted: dict[str, str] = {}
        for spec in ATTACHED_LISTS:
            self._offer_attached(spec)
        offer_known_tags(self.fields["tags"], known_tags)
        choices = list(model_choices)
        if current_model and current_model not in {value for value, _ in choices}:
            # Keep a model the catalogue no longer lists, so saving does not change it silently.
            choices.insert(0, (current_model, current_model))
        self.fields["model"].choices = [("", "Telnyx default"), *choices]
        self._offer_picker("insight_group_id", blank="None")
        fallback = str(self.initial.get("fallback_model") or "")
        extra = [(fallback, fallback)] if fallback and fallback not in {value for value, _ in choices} else []
        self.fields["fallback_model"].choices = [("", "None"), *extra, *choices]

    def _offer_picker(self, name: str, *, blank: str) -> None:
        """A select of what another app caches (assistants.hooks), keeping a value it does not list."""
        offered = hooks.choices_for(name)
        if offered is None:
            return
        current = str(self.initial.get(name) or "")
        if current and current not in {value for value, _ in offered}:
            offered.insert(0, (current, f"{current} (not in the cached list)"))
        old = self.fields[name]
        self.fields[name] = forms.ChoiceField(required=False, label=old.label, choices=[("", blank), *offered],
                                              help_text=old.help_text)

    def _offer_attached(self, spec: AttachedList) -> None:
        """Checkboxes for `spec`'s list and, grouped per item, for the tools each offers. An
        attached id the list no longer has stays offered, marked, so a save does not drop it
        unasked; an id the portal cannot use is not offered and is kept as it is. With nothing
        offering the list, or its provider unable to list now, both fields go: the list is kept."""
        try:
            offers = hooks.offers_for(spec.key)
        except hooks.Unlisted as exc:
            self.unlisted[spec.key] = str(exc)
            offers = None
        if offers is None:
            del self.fields[spec.key], self.fields[spec.tools_field]
            return
        stored = {str(e.get(spec.id_key)): e for e in self.initial.get(f"_{spec.key}", [])
                  if is_telnyx_id(e.get(spec.id_key))}
        ids = [(o.value, o.label) for o in offers]
        tools: list[tuple[str, list[tuple[str, str]]]] = []
        listed = {o.value: o for o in offers}
        for item_id in stored:
            if item_id not in listed:
                ids.append((item_id, f"{item_id} (not listed now: untick to detach)"))
        for item_id, label in ids:
            offered = listed[item_id].tools if item_id in listed else ()
            kept = [t for t in stored.get(item_id, {}).get(spec.tools_key) or [] if isinstance(t, str) and t not in offered]
            group = [(f"{item_id}{TOOL_CHOICE_SEPARATOR}{t}", t) for t in offered]
            group += [(f"{item_id}{TOOL_CHOICE_SEPARATOR}{t}", f"{t} (not offered now)") for t in kept]
            if group:
                tools.append((label, group))
        self.fields[spec.key].choices = ids
        self.fields[spec.key].error_messages["invalid_choice"] = f"“%(value)s” is not a {spec.noun} Telnyx lists."
        self.fields[spec.tools_field].choices = tools
        self.fields[spec.tools_field].error_messages["invalid_choice"] = f"“%(value)s” is not a tool of a {spec.noun} Telnyx lists."
        if not ids:
            self.fields[spec.key].help_text = f"Telnyx lists no {spec.noun} for this account yet."
        unusable = [e.get(spec.id_key) for e in self.initial.get(f"_{spec.key}", []) if not is_telnyx_id(e.get(spec.id_key))]
        if unusable:
            self.fields[spec.key].help_text += f" Kept as they are: {len(unusable)} attached with an id the portal cannot use."

    def attached_keys(self) -> set[str]:
        """The attached lists this form edits (the others are kept as they are, under Other settings)."""
        return {spec.key for spec in ATTACHED_LISTS if spec.key in self.fields}

    def fieldset_fields(self) -> list[tuple[str, list]]:
        """(section title, bound fields) for the template, Django-admin fieldsets style; a
        section whose fields are not offered now is left out."""
        shown = [(title, [self[name] for name in names if name in self.fields]) for title, names in self.fieldsets]
        return [(title, fields) for title, fields in shown if fields]

    @classmethod
    def initial_from(cls, payload: dict) -> dict:
        """Form values from an API assistant (or version) object."""
        initial = {name: payload.get(name) for name in TOP_LEVEL_FIELDS}
        initial["tags"] = ", ".join(payload.get("tags") or [])
        initial["dynamic_variables"] = payload.get("dynamic_variables") or {}
        for path, name in NESTED_FIELDS.items():
            initial[name] = _dig(payload, path)
        fallbacks = initial.get("transcription_fallback_models")
        if isinstance(fallbacks, list):
            initial["transcription_fallback_models"] = [f.get("model") for f in fallbacks if isinstance(f, dict)]
        for spec in ATTACHED_LISTS:
            attached = _attached(payload, spec)
            initial[f"_{spec.key}"] = attached  # what the pickers are built from
            initial[spec.key] = [str(e.get(spec.id_key)) for e in attached if is_telnyx_id(e.get(spec.id_key))]
            initial[spec.tools_field] = [f"{value}{TOOL_CHOICE_SEPARATOR}{t}" for e in attached if is_telnyx_id(value := e.get(spec.id_key))
                                         for t in e.get(spec.tools_key) or [] if isinstance(t, str)]
        initial["version_name"] = ""
        initial["loaded_from"] = sign_loaded(payload)
        return {k: v for k, v in initial.items() if v is not None}

    def clean_transcription_fallback_models(self) -> list[dict] | None:
        """The chosen models as Telnyx's `[{model}]`; None (left as is) when none is chosen."""
        chosen = self.cleaned_data.get("transcription_fallback_models") or []
        if len(chosen) > MAX_TRANSCRIPTION_FALLBACKS:
            raise forms.ValidationError(f"Choose at most {MAX_TRANSCRIPTION_FALLBACKS} fallback models.")
        return [{"model": m} for m in chosen] or None

    def clean(self):
        data = super().clean()
        if any(f["model"] == data.get("transcription_model") for f in data.get("transcription_fallback_models") or []):
            self.add_error("transcription_fallback_models", "A fallback must be another model than the one it stands in for.")
        if data.get("observability_status") == "enabled":
            for name in ("observability_host", "observability_public_key_ref", "observability_secret_key_ref"):
                if not data.get(name):
                    self.add_error(name, "Needed when tracing is enabled.")
        if data.get("observability_prompt_sync") == "enabled" and not data.get("observability_prompt_name"):
            self.add_error("observability_prompt_name", "Prompt sync publishes under this name: give one.")
        for spec in ATTACHED_LISTS:
            if spec.key in self.fields and spec.key in data:
                orphans = sorted({v.split(TOOL_CHOICE_SEPARATOR, 1)[0] for v in data.get(spec.tools_field) or []} - set(data[spec.key]))
                if orphans:
                    labels = dict(self.fields[spec.key].choices)
                    names = ", ".join(str(labels.get(o, o)) for o in orphans)
                    self.add_error(spec.tools_field, f"Tools are ticked for {names}, which is not attached: tick it above too, or untick its tools.")
        return data

    def clean_tags(self) -> list[str]:
        tags: list[str] = []
        for tag in (t.strip() for t in (self.cleaned_data.get("tags") or "").split(",")):
            if tag and tag not in tags:
                tags.append(tag)
        return tags

    def settings_body(self, original: dict) -> dict:
        """The modeled settings that differ from `original`, nested objects merged into it."""
        data = self.cleaned_data
        wanted = {name: data.get(name) for name in TOP_LEVEL_FIELDS}
        wanted["model"] = wanted["model"] or original.get("model") or ""
        body = {k: v for k, v in wanted.items() if v != (original.get(k) if original.get(k) is not None else type(v)())}
        merged = {key: json.loads(json.dumps(original.get(key) or {})) for key in NESTED_OBJECTS}
        for path, name in NESTED_FIELDS.items():
            _put(merged, path, data.get(name))
        fallbacks = _dig(merged, ("transcription", "fallback_models"))
        if fallbacks:
            _put(merged, ("transcription", "fallback_models"),
                 _onto_stored(fallbacks, _dig(original, ("transcription", "fallback_models"))))
        for key, value in _prune_empty(merged).items():
            if value != (original.get(key) or {}):
                body[key] = value
        for key in NESTED_OBJECTS:
            if key not in merged and original.get(key):
                body[key] = {}  # every modeled value was cleared
        body.update(self.attached_body(original))
        return body

    def attached_body(self, original: dict) -> dict:
        """Each attached list the form edits, when the picks changed it: stored entries keep
        their place and every key the form does not show; an entry with an id the portal cannot
        use, or anything not an object, stays as it is."""
        body = {}
        for spec in ATTACHED_LISTS:
            if spec.key not in self.fields:
                continue
            chosen = list(self.cleaned_data.get(spec.key) or [])
            picks: dict[str, list[str]] = {}
            for value in self.cleaned_data.get(spec.tools_field) or []:
                item_id, _, tool = value.partition(TOOL_CHOICE_SEPARATOR)
                picks.setdefault(item_id, []).append(tool)
            stored = original.get(spec.key) if isinstance(original.get(spec.key), list) else []
            result, seen = [], set()
            for entry in stored:
                item_id = entry.get(spec.id_key) if isinstance(entry, dict) else None
                if not is_telnyx_id(item_id):
                    result.append(entry)
                elif item_id in chosen and item_id not in seen:
                    seen.add(item_id)
                    result.append(_with_tools(entry, spec.tools_key, picks.get(item_id, [])))
            result += [_with_tools({spec.id_key: i}, spec.tools_key, picks.get(i, [])) for i in chosen if i not in seen]
            if result != stored:
                body[spec.key] = result
        return body


def _with_tools(entry: dict, tools_key: str, picked: list[str]) -> dict:
    """`entry` with its tool allowlist as picked: the stored order when the same tools are
    picked, none (every tool allowed) when none is, leaving a stored empty list alone."""
    stored = entry.get(tools_key)
    if set(picked) == set(stored or []):
        return entry
    entry = dict(entry)
    if picked:
        entry[tools_key] = picked
    else:
        entry.pop(tools_key, None)
    return entry


def _onto_stored(chosen: list[dict], stored) -> list[dict]:
    """The picked fallback models, each merged onto its stored object: the picker shows only the
    model name, so a stored fallback's `language` and `settings` must not be lost by a save."""
    by_model = {f.get("model"): f for f in stored or [] if isinstance(f, dict)}
    return [{**by_model.get(f["model"], {}), **f} for f in chosen]


def unmodeled_settings(payload: dict, edited: set[str] = frozenset()) -> dict:
    """What the form does not edit (kept as it is on save), with nested extras as dotted keys;
    `edited` names the attached lists the form edits this time (AssistantChangeForm.attached_keys)."""
    extra = {k: v for k, v in payload.items() if k not in MODELED_KEYS and k not in META_KEYS and k not in edited}
    modeled_paths = {path[:2] for path in NESTED_FIELDS}
    for key in NESTED_OBJECTS:
        for sub, value in (payload.get(key) or {}).items():
            if (key, sub) not in modeled_paths:
                extra[f"{key}.{sub}"] = value
            elif key == "telephony_settings" and sub == "voicemail_detection":
                rest = {k: v for k, v in (value or {}).items() if k != "on_voicemail_detected"}
                if rest:
                    extra["telephony_settings.voicemail_detection"] = rest
    return dict(sorted(extra.items()))


# --- tools ------------------------------------------------------------------------------------

class ToolForm(forms.Form):
    """One inline tool. Which inputs show depends on `type`; the rest of the tool's object
    travels in `original` (hidden) so settings the row does not show are kept."""

    type = forms.ChoiceField(choices=[(t, t) for t in TOOL_TYPES], widget=forms.HiddenInput)
    original = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(required=False, max_length=200)
    description = forms.CharField(required=False, max_length=1000)
    url = forms.CharField(required=False, max_length=2000, label="URL")
    method = forms.ChoiceField(required=False, choices=[(m, m) for m in WEBHOOK_METHODS])
    parameters = JSONObjectField(help_text="JSON Schema of the arguments.")
    targets = JSONObjectField(expect=list, help_text='e.g. [{"name": "Sales", "to": "+15551234567"}]')
    transfer_from = forms.CharField(required=False, max_length=100, label="From (caller id)")
    timeout_ms = forms.IntegerField(required=False, min_value=1, max_value=60_000, label="Timeout (ms)",
                                    help_text="How long to wait for the webhook; empty for Telnyx's default.")
    config = JSONObjectField(label="Settings", help_text="This tool's settings as a JSON object.")

    #: the inputs each type shows; any other type edits its object as JSON (`config`)
    FIELDS_BY_TYPE = {
        "webhook": ["name", "description", "url", "method", "timeout_ms"],
        "function": ["name", "description", "parameters"],
        "transfer": ["targets", "transfer_from"],
    }
    #: API key inside the tool's object → form field
    API_NAMES = {"from": "transfer_from"}
    #: inputs that belong to the tool itself, beside `type`, not inside its object (the SDK:
    #: a webhook's `timeout_ms` inside `webhook` is stored but not applied)
    TOOL_LEVEL = {"timeout_ms"}

    @property
    def tool_type(self) -> str:
        value = self["type"].value()
        return value if value in TOOL_TYPES else "function"

    def visible_names(self) -> list[str]:
        return self.FIELDS_BY_TYPE.get(self.tool_type, ["config"])

    def visible_inputs(self) -> list:
        return [self[name] for name in self.visible_names()]

    @classmethod
    def initial_from(cls, tool: dict) -> dict:
        kind = tool.get("type") or ""
        inner = tool.get(kind) if isinstance(tool.get(kind), dict) else {}
        initial = {"type": kind, "original": json.dumps(tool, ensure_ascii=False), "config": inner}
        if kind == "function":
            initial.update(name=inner.get("name", ""), description=inner.get("description", ""),
                           parameters=inner.get("parameters") or {})
        elif kind == "webhook":
            initial.update(name=inner.get("name", ""), description=inner.get("description", ""),
                           url=inner.get("url", ""), method=inner.get("method") or "POST",
                           timeout_ms=tool.get("timeout_ms"))
        elif kind == "transfer":
            initial.update(targets=inner.get("targets") or [], transfer_from=inner.get("from", ""))
        return initial

    def clean(self):
        data = super().clean()
        kind = data.get("type")
        if kind == "webhook":
            for name in ("name", "url"):
                if not data.get(name):
                    self.add_error(name, "Required for a webhook tool.")
        if kind == "function" and not data.get("name"):
            self.add_error("name", "Required for a function tool.")
        return data

    def to_tool(self) -> dict:
        data = self.cleaned_data
        kind = data["type"]
        try:
            original = json_input.parse(data.get("original") or "{}")
        except ValueError:
            original = {}
        # `original` comes back from the browser: anything but this tool's object is ignored.
        if not isinstance(original, dict) or original.get("type") != kind:
            original = {}
        inner = original.get(kind) if isinstance(original.get(kind), dict) else {}
        inner = dict(inner)
        tool_level = {}
        if kind in self.FIELDS_BY_TYPE:
            api_names = {form_name: api for api, form_name in self.API_NAMES.items()}
            for name in self.FIELDS_BY_TYPE[kind]:
                value = data.get(name)
                if name in self.TOOL_LEVEL:
                    tool_level[name] = value
                    continue
                _put(inner, (api_names.get(name, name),), None if value in ({}, []) else value)
            if kind == "transfer":
                inner["targets"] = data.get("targets") or []
        else:
            inner = data.get("config") or {}
        tool = {**original, "type": kind, kind: inner}
        for name, value in tool_level.items():
            _put(tool, (name,), value)
        return tool


class BaseToolFormSet(forms.BaseFormSet):
    def tools(self) -> list[dict]:
        """The tools to send, in row order, skipping removed rows."""
        return [form.to_tool() for form in self.kept_forms()]

    def kept_forms(self) -> list[ToolForm]:
        return [form for form in self.forms if not self._should_delete_form(form)]


ToolFormSet = forms.formset_factory(ToolForm, formset=BaseToolFormSet, extra=0, can_delete=True)
TOOLS_PREFIX = "tools"


def tool_formset(data=None, *, tools: list[dict] | None = None) -> BaseToolFormSet:
    """Rows for the inline tools; shared tools (attached by id) are not edited here."""
    initial = [ToolForm.initial_from(tool) for tool in inline_tools(tools or [])]
    return ToolFormSet(data, initial=initial, prefix=TOOLS_PREFIX)


def inline_tools(tools: list[dict]) -> list[dict]:
    return [tool for tool in tools if not tool.get("shared")]


def shared_tools(tools: list[dict]) -> list[dict]:
    return [tool for tool in tools if tool.get("shared")]


def tools_body(formset: BaseToolFormSet, original: dict) -> dict:
    """{"tools": [...]} when the inline tools changed, else {} (the tool set is replaced whole)."""
    tools = formset.tools()
    return {"tools": tools} if tools != inline_tools(original.get("tools") or []) else {}


# --- Telnyx errors onto fields and rows ---------------------------------------------------------

POINTER_FIELDS = {"/" + "/".join(path): name for path, name in NESTED_FIELDS.items()}
POINTER_FIELDS.update({f"/{name}": name for name in TOP_LEVEL_FIELDS})
POINTER_FIELDS.update({"/version_name": "version_name"})
POINTER_FIELDS.update({f"/{spec.key}": spec.key for spec in ATTACHED_LISTS})


def place_telnyx_errors(form: AssistantChangeForm, formset: BaseToolFormSet, error: TelnyxError) -> None:
    """Each error's `source.pointer` onto its field (`/voice_settings/voice` → voice) or tool row
    (`/tools/0/webhook/url` → the first kept row's URL); the whole message goes on top."""
    rows = formset.kept_forms()
    for detail in error.errors:
        text = detail.detail or detail.title or str(error)
        pointer = detail.pointer or (f"/{detail.parameter}" if detail.parameter else "")
        parts = pointer.strip("/").split("/") if pointer else []
        if len(parts) >= 2 and parts[0] == "tools" and parts[1].isdigit() and int(parts[1]) < len(rows):
            row = rows[int(parts[1])]
            key = parts[3] if len(parts) >= 4 else ""
            field = ToolForm.API_NAMES.get(key, key)
            if field not in row.visible_names():
                field = "config" if "config" in row.visible_names() and key else None
            row.add_error(field, text)
            continue
        name = _field_for_pointer(pointer)
        if name and name in form.fields:
            form.add_error(name, text)
    form.add_error(None, error.user_message)


def _field_for_pointer(pointer: str) -> str | None:
    """The deepest modeled field a pointer names: "/transcription/model" → transcription_model."""
    while pointer:
        if pointer in POINTER_FIELDS:
            return POINTER_FIELDS[pointer]
        pointer = pointer.rsplit("/", 1)[0]
    return None
