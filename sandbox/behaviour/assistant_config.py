"""Validation of an assistant's configuration body (create, update, version update).

The sandbox echoes configuration back, and the SDK validates responses strictly, so
anything accepted here must also parse as the SDK's ``InferenceEmbedding``.
"""

from __future__ import annotations

from sandbox.api import ApiError, Enum, ListOf, check_fields, error_object
from sandbox.behaviour.model_catalogue import MODEL_IDS

DEFAULT_MODEL = "meta-llama/Meta-Llama-3.1-70B-Instruct"

TRANSCRIPTION_MODELS = (
    "deepgram/flux", "deepgram/nova-3", "deepgram/nova-2", "speechmatics/standard",
    "speechmatics/linden-1", "azure/fast", "assemblyai/universal-3-5-pro",
    "assemblyai/universal-streaming", "xai/grok-stt", "soniox/stt-rt-v4", "soniox/stt-rt-v5",
    "nvidia/parakeet-v3", "omi-health/omi-med-stt-v1", "humain/realtime", "reson8/turns",
    "cohere/ar-stt", "telnyx/basira", "distil-whisper/distil-large-v2",
    "openai/whisper-large-v3-turbo",
)
TOOL_TYPES = (
    "function", "webhook", "client_side_tool", "retrieval", "handoff", "hangup", "transfer",
    "invite", "refer", "send_dtmf", "send_message", "skip_turn", "vision", "pay",
    "update_dynamic_variables",
)
# Only these tool types may appear more than once on an assistant.
REPEATABLE_TOOL_TYPES = {"function", "webhook", "client_side_tool"}

TOP_LEVEL = {
    "name": str, "instructions": str, "description": str, "greeting": str, "model": str,
    "llm_api_key_ref": str, "tags": ListOf(str), "tool_ids": ListOf(str), "tools": ListOf(dict),
    "integrations": ListOf(dict), "mcp_servers": ListOf(dict), "a2a_agents": ListOf(dict),
    "voice_settings": dict, "transcription": dict, "telephony_settings": dict,
    "messaging_settings": dict, "privacy_settings": dict, "insight_settings": dict,
    "widget_settings": dict, "interruption_settings": dict, "external_llm": dict,
    "fallback_config": dict, "delegation_settings": dict, "conversation_flow": dict,
    "post_conversation_settings": dict, "observability_settings": dict,
    "websocket_settings": dict, "avatar_settings": dict, "dynamic_variables": dict,
    "dynamic_variables_webhook_url": str, "dynamic_variables_webhook_timeout_ms": int,
    "enabled_features": ListOf(Enum("telephony", "messaging")), "related_mission_ids": ListOf(str),
}
# Nested objects: (required fields, optional fields) checked when the object is sent.
NESTED = {
    "voice_settings": ({"voice": str}, {"voice_speed": float, "temperature": float}),
    "transcription": ({}, {"model": Enum(*TRANSCRIPTION_MODELS), "language": str, "region": str}),
    "telephony_settings": ({}, {
        "noise_suppression": Enum("aicoustics", "krisp", "deepfilternet", "disabled"),
        "time_limit_secs": int, "user_idle_timeout_secs": int,
        "supports_unauthenticated_web_calls": bool, "default_texml_app_id": str,
    }),
    "messaging_settings": ({}, {"default_messaging_profile_id": str, "delivery_status_webhook_url": str,
                                "conversation_inactivity_minutes": int}),
    "privacy_settings": ({}, {"data_retention": bool, "pii_redaction": Enum("disabled", "redact")}),
    "widget_settings": ({}, {"theme": Enum("light", "dark"), "position": Enum("fixed", "static"),
                             "default_state": Enum("expanded", "collapsed")}),
    "external_llm": ({"base_url": str, "model": str},
                     {"authentication_method": Enum("token", "certificate")}),
    "conversation_flow": ({"start_node_id": str, "nodes": ListOf(dict)}, {"edges": ListOf(dict)}),
    "observability_settings": ({}, {"status": Enum("enabled", "disabled"),
                                    "prompt_sync": Enum("enabled", "disabled")}),
    "avatar_settings": ({"avatar_id": str, "provider": Enum("telnyx"), "model": Enum("foxtrot-1"),
                         "background_id": Enum("office", "studio", "reception", "illustrated_workspace")}, {}),
}
LIST_ITEMS = {
    "integrations": ({"integration_id": str}, {"allowed_list": ListOf(str)}),
    "mcp_servers": ({"id": str}, {"allowed_tools": ListOf(str)}),
    "a2a_agents": ({"name": str, "url": str}, {}),
}
# The fields each tool's own object must carry, where the SDK requires them.
TOOL_REQUIRED = {
    "webhook": {"name": str, "description": str, "url": str},
    "function": {"name": str},
    "handoff": {"ai_assistants": ListOf(dict)},
    "transfer": {"from": str},
}


def validate_config(body: dict, *, creating: bool) -> None:
    """Raise 422 (or 400 for duplicate tools) when ``body`` is not a valid configuration."""
    required = {"name": str, "instructions": str} if creating else {}
    optional = {k: v for k, v in TOP_LEVEL.items() if k not in required}
    errors = check_fields(body, required=required, optional=optional)
    if errors:
        raise ApiError(422, errors=errors)
    model = body.get("model")
    if model and model not in MODEL_IDS:
        # Telnyx only serves models from its catalogue (GET /ai/openai/models).
        errors.append(error_object(422, f"Unknown model '{model}'. Choose one from the model catalogue.",
                                   pointer="/model"))
    timeout = body.get("dynamic_variables_webhook_timeout_ms")
    if timeout is not None and not 1 <= timeout <= 10000:
        errors.append(error_object(422, "Must be between 1 and 10000.",
                                   pointer="/dynamic_variables_webhook_timeout_ms"))
    for field, (req, opt) in NESTED.items():
        if isinstance(body.get(field), dict):
            errors += check_fields(body[field], required=req, optional=opt, prefix=f"/{field}")
    for field, (req, opt) in LIST_ITEMS.items():
        for index, item in enumerate(body.get(field) or []):
            errors += check_fields(item, required=req, optional=opt, prefix=f"/{field}/{index}")
    errors += _tool_errors(body.get("tools") or [])
    if errors:
        raise ApiError(422, errors=errors)
    _reject_duplicate_tools(body.get("tools") or [])


def _tool_errors(tools: list[dict]) -> list[dict]:
    errors = []
    for index, tool in enumerate(tools):
        pointer = f"/tools/{index}"
        problems = check_fields(tool, required={"type": Enum(*TOOL_TYPES)}, prefix=pointer)
        if problems:
            errors += problems
            continue
        kind = tool["type"]
        if kind in ("skip_turn",):
            continue
        if not isinstance(tool.get(kind), dict):
            errors.append(error_object(422, f"A '{kind}' tool needs a '{kind}' object.",
                                       pointer=f"{pointer}/{kind}"))
            continue
        errors += check_fields(tool[kind], required=TOOL_REQUIRED.get(kind, {}), prefix=f"{pointer}/{kind}")
    return errors


def _reject_duplicate_tools(tools: list[dict]) -> None:
    seen = set()
    for index, tool in enumerate(tools):
        kind = tool["type"]
        if kind in seen and kind not in REPEATABLE_TOOL_TYPES:
            raise ApiError(400, f"Only one '{kind}' tool is allowed per assistant.",
                           pointer=f"/tools/{index}/type", code="10015")
        seen.add(kind)


def config_from_body(body: dict) -> dict:
    """The configuration fields of a request body (drops control fields and unknown keys)."""
    return {k: v for k, v in body.items() if k in TOP_LEVEL}


def with_default_model(config: dict) -> dict:
    """Telnyx applies a default model when neither ``model`` nor ``external_llm`` is given."""
    if not config.get("model"):
        external = config.get("external_llm") or {}
        config = {**config, "model": external.get("model") or DEFAULT_MODEL}
    return config
