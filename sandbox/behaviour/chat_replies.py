"""Deterministic chat completions in OpenAI's shape.

The reply is built from the last user message: when a retrieval tool names buckets, the
best matching passage from those buckets grounds the answer; when function tools are given
and ``tool_choice`` is ``required``, the first function is called; otherwise the reply
restates the request's key terms. ``json_object`` and ``json_schema`` formats get JSON.
"""

from __future__ import annotations

import hashlib
import json
import time

from django.conf import settings

from sandbox.behaviour import embeddings
from sandbox.behaviour.text_search import rank
from sandbox.behaviour.text_vectors import estimate_tokens, tokenize


def message_text(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return " ".join(part.get("text") or "" for part in content if isinstance(part, dict))
    return content or ""


def _grounding(tools: list[dict], question: str) -> str | None:
    buckets = [b for tool in tools if tool.get("type") == "retrieval"
               for b in (tool.get("retrieval") or {}).get("bucket_ids") or []]
    passages = [p for bucket in buckets for p in embeddings.passages(bucket)]
    hits = rank(question, passages, 1)
    if hits and hits[0].distance < 1.0:
        return f"According to {hits[0].passage.filename}: {hits[0].passage.text}"
    return None


def reply_text(messages: list[dict], tools: list[dict]) -> str:
    question = next((message_text(m) for m in reversed(messages) if m.get("role") == "user"), "")
    grounded = _grounding(tools, question)
    if grounded:
        return grounded
    terms = list(dict.fromkeys(tokenize(question)))[:5]
    if not terms:
        return "Hello! How can I help you today?"
    return f"Here is what I can tell you about {', '.join(terms)}: this is a sandbox reply, so no model was called."


def _tool_call(tools: list[dict], seed: str) -> dict | None:
    functions = [t["function"] for t in tools if t.get("type") == "function" and t.get("function")]
    if not functions:
        return None
    return {"id": f"call_{seed[:24]}", "type": "function",
            "function": {"name": functions[0]["name"], "arguments": "{}"}}


def completion(body: dict, model: str) -> dict:
    """The ``chat.completion`` object answering ``body``."""
    messages, tools = body["messages"], body.get("tools") or []
    seed = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()
    text = reply_text(messages, tools)
    fmt = (body.get("response_format") or {}).get("type")
    if fmt in ("json_object", "json_schema"):
        text = json.dumps({"answer": text})
    finish = "stop"
    max_tokens = body.get("max_tokens")
    if max_tokens is not None and estimate_tokens(text) > max_tokens:
        text = " ".join(text.split()[:max(1, max_tokens * 3 // 4)])
        finish = "length"
    message = {"role": "assistant", "content": text}
    call = _tool_call(tools, seed) if body.get("tool_choice") == "required" else None
    if call:
        message, finish = {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls"
    choices = [{"index": i, "message": message, "finish_reason": finish, "logprobs": None}
               for i in range(int(body.get("n") or 1))]
    prompt_tokens = sum(estimate_tokens(message_text(m)) + 4 for m in messages)
    completion_tokens = estimate_tokens(text or "") * len(choices)
    return {
        "id": f"chatcmpl-{seed[:29]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": choices,
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


def pause_between_events() -> None:
    delay = getattr(settings, "SANDBOX_STREAM_DELAY_MS", 0)
    if delay:
        time.sleep(delay / 1000)


def stream_events(answer: dict):
    """Server-sent events for ``stream: true``: the answer as ``chat.completion.chunk``
    objects (role first, then the content a few words at a time, then the finish reason),
    ending with ``data: [DONE]``."""
    base = {"id": answer["id"], "object": "chat.completion.chunk", "created": answer["created"],
            "model": answer["model"]}

    def event(index: int, delta: dict, finish: str | None = None) -> str:
        chunk = {**base, "choices": [{"index": index, "delta": delta, "finish_reason": finish, "logprobs": None}]}
        return f"data: {json.dumps(chunk)}\n\n"

    for choice in answer["choices"]:
        index, message = choice["index"], choice["message"]
        yield event(index, {"role": "assistant", "content": ""})
        if message.get("tool_calls"):
            calls = [{"index": n, **call} for n, call in enumerate(message["tool_calls"])]
            yield event(index, {"tool_calls": calls})
        words = (message.get("content") or "").split(" ")
        for start in range(0, len(words) if message.get("content") else 0, 4):
            piece = " ".join(words[start:start + 4])
            yield event(index, {"content": piece if start == 0 else " " + piece})
            pause_between_events()
        yield event(index, {}, choice["finish_reason"])
    yield "data: [DONE]\n\n"
