"""POST /ai/openai/chat/completions and its seed-era path POST /ai/chat/completions."""

from django.http import StreamingHttpResponse

from sandbox.api import ApiError, Enum, ListOf, check_fields, error_object, ok
from sandbox.behaviour.chat_replies import completion, stream_events
from sandbox.behaviour.model_catalogue import MODEL_IDS

DEFAULT_MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct"
ROLES = ("system", "user", "assistant", "tool")
OPTIONAL = {
    "model": str, "max_tokens": int, "temperature": float, "top_p": float, "n": float, "seed": int,
    "stream": bool, "tools": ListOf(dict), "tool_choice": Enum("none", "auto", "required"),
    "response_format": dict, "stop": (str, list), "frequency_penalty": float, "presence_penalty": float,
    "logprobs": bool, "top_logprobs": int, "api_key_ref": str, "region": Enum("USA", "EU", "AUS", "UAE"),
    "reasoning_effort": Enum("none", "minimal", "low", "medium", "high", "xhigh", "max"),
    "mode": Enum("preferred", "strict"), "enable_thinking": bool, "service_tier": str,
}


def _message_errors(messages: list) -> list[dict]:
    errors = []
    for index, message in enumerate(messages):
        pointer = f"/messages/{index}"
        errors += check_fields(message, required={"role": Enum(*ROLES)}, prefix=pointer)  # one error when not an object
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if isinstance(content, list):
            for part_index, part in enumerate(content):
                part_pointer = f"{pointer}/content/{part_index}"
                if not isinstance(part, dict):
                    errors.append(error_object(422, "Must be an object.", pointer=part_pointer))
                else:
                    errors += check_fields(part, required={"type": Enum("text", "image_url")}, prefix=part_pointer)
        elif not isinstance(content, str) and not (content is None and message.get("role") == "assistant"):
            errors.append(error_object(422, "Must be a string or an array of content parts.",
                                       pointer=f"{pointer}/content"))
    return errors


def _tool_errors(tools: list) -> list[dict]:
    errors = []
    for index, tool in enumerate(tools):
        pointer = f"/tools/{index}"
        errors += check_fields(tool, required={"type": Enum("function", "retrieval")}, prefix=pointer)
        if tool.get("type") == "function":
            errors += check_fields(tool.get("function") or {}, required={"name": str}, prefix=f"{pointer}/function")
        elif tool.get("type") == "retrieval":
            errors += check_fields(tool.get("retrieval") or {}, required={"bucket_ids": ListOf(str)},
                                   prefix=f"{pointer}/retrieval")
    return errors


def create_completion(request):
    body = request.json
    errors = check_fields(body, required={"messages": ListOf(dict)}, optional=OPTIONAL)
    if not errors and not body["messages"]:
        errors.append(error_object(422, "At least one message is required.", pointer="/messages"))
    if not errors:
        errors = _message_errors(body["messages"]) + _tool_errors(body.get("tools") or [])
        model = body.get("model")
        if model and model not in MODEL_IDS:
            errors.append(error_object(422, f"Unknown model '{model}'. Choose one from GET /ai/openai/models.",
                                       pointer="/model"))
        fmt = (body.get("response_format") or {}).get("type")
        if body.get("response_format") is not None and fmt not in ("text", "json_object", "json_schema"):
            errors.append(error_object(422, "Must be one of: text, json_object, json_schema.",
                                       pointer="/response_format/type"))
        if body.get("max_tokens") is not None and body["max_tokens"] < 1:
            errors.append(error_object(422, "Must be at least 1.", pointer="/max_tokens"))
        if body.get("n") is not None and not 1 <= body["n"] <= 8:
            errors.append(error_object(422, "Must be between 1 and 8.", pointer="/n"))
    if errors:
        raise ApiError(422, errors=errors)
    answer = completion(body, body.get("model") or DEFAULT_MODEL)
    if body.get("stream"):
        response = StreamingHttpResponse(stream_events(answer), content_type="text/event-stream")
        response["Cache-Control"] = "no-cache"
        return response
    return ok(answer)
