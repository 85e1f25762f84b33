"""Talking to an assistant: web chat, SMS chat, TeXML, and testing a webhook tool."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlparse
from xml.sax.saxutils import quoteattr

from django.http import HttpResponse, StreamingHttpResponse

from sandbox.api import ApiError, ok, validate
from sandbox.behaviour import assistants as svc
from sandbox.behaviour.chat import chat, start_sms_chat
from sandbox.behaviour.chat_replies import pause_between_events


def assistant_chat(request, assistant_id):
    body = request.json
    validate(body, required={"content": str, "conversation_id": str}, optional={"name": str, "stream": bool})
    assistant = svc.get_assistant(assistant_id)
    reply = chat(assistant, conversation_id=body["conversation_id"], content=body["content"],
                 name=body.get("name") or "")
    if body.get("stream"):
        return _sse_reply(reply)
    return ok({"content": reply})


def _sse_reply(reply: str) -> StreamingHttpResponse:
    """Server-sent events: one ``delta`` per word, then ``done`` with the whole reply.

    The SDK documents the event names but not their payloads; ``{"content": ...}`` mirrors
    the non-streaming answer.
    """
    words = reply.split(" ")

    def events():
        for index, word in enumerate(words):
            chunk = word if index == 0 else " " + word
            yield f"event: delta\ndata: {json.dumps({'content': chunk})}\n\n".encode()
            pause_between_events()
        yield f"event: done\ndata: {json.dumps({'content': reply})}\n\n".encode()

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    return response


def assistant_chat_sms(request, assistant_id):
    body = request.json
    validate(body, required={"from": str, "to": str},
             optional={"text": str, "conversation_metadata": dict, "should_create_conversation": bool})
    assistant = svc.get_assistant(assistant_id)
    conversation = start_sms_chat(assistant, from_=body["from"], to=body["to"], text=body.get("text"),
                                  conversation_metadata=body.get("conversation_metadata") or {},
                                  create=body.get("should_create_conversation", True))
    return ok({"conversation_id": conversation.pk} if conversation else {})


def assistant_texml(request, assistant_id):
    assistant = svc.get_assistant(assistant_id)
    greeting = assistant.main_version.config.get("greeting") or ""
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Connect>\n'
           f'    <AIAssistant id={quoteattr(assistant.pk)} greeting={quoteattr(greeting)}/>\n'
           '  </Connect>\n</Response>\n')
    return HttpResponse(xml, content_type="text/plain; charset=utf-8")


def _find_tool(config: dict, tool_id: str) -> dict | None:
    for tool in config.get("tools") or []:
        inner = tool.get(tool.get("type"), {}) if isinstance(tool.get(tool.get("type")), dict) else {}
        if tool_id in (tool.get("id"), tool.get("tool_id"), inner.get("id"), inner.get("name")):
            return tool
    if tool_id in (config.get("tool_ids") or []):
        return {"type": "webhook", "webhook": {"name": tool_id, "url": f"https://tools.sandbox.telnyx.invalid/{tool_id}",
                                               "method": "POST"}}
    return None


def tool_test(request, assistant_id, tool_id):
    """Simulate calling the webhook (no network): URLs containing 'fail' answer 500."""
    body = request.json
    validate(body, optional={"arguments": dict, "dynamic_variables": dict})
    assistant = svc.get_assistant(assistant_id)
    tool = _find_tool(assistant.main_version.config, tool_id)
    if tool is None:
        raise ApiError(404, f"Tool {tool_id} not found on assistant {assistant_id}.")
    webhook = tool.get("webhook") or {}
    url = webhook.get("url", "")
    arguments = body.get("arguments") or {}
    failing = "fail" in urlparse(url).path or "fail" in urlparse(url).netloc
    status = 500 if failing else 200
    digest = hashlib.sha1(json.dumps(arguments, sort_keys=True).encode()).hexdigest()[:12]
    response_body = ({"error": "upstream error"} if failing else {"ok": True, "echo": arguments, "reference": digest})
    return ok({"data": {
        "success": not failing,
        "status_code": status,
        "content_type": "application/json",
        "request": {"url": url, "method": webhook.get("method", "POST"), "body": arguments,
                    "dynamic_variables": body.get("dynamic_variables") or {}},
        "response": json.dumps(response_body),
    }})
