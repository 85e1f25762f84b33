"""The tool test page: call one of the assistant's webhook tools with sample arguments."""

from __future__ import annotations

import json

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from assistants.services import assistants as assistant_services
from assistants.services import tools as services
from core.forms import JsonObjectField, add_telnyx_errors
from portal.roles import operate_required
from portal.telnyx import TelnyxError

GIVE_AN_OBJECT = "Give a JSON object, e.g. {\"order_id\": \"123\"}."


class ToolTestForm(forms.Form):
    arguments = JsonObjectField(required=False, empty={}, not_object=GIVE_AN_OBJECT,
                                help_text="The arguments the assistant would send, as a JSON object.")
    dynamic_variables = JsonObjectField(required=False, empty={}, not_object=GIVE_AN_OBJECT, label="Dynamic variables",
                                        help_text="Values for {{variables}} in the webhook's URL, headers or body.")


@require_http_methods(["GET", "POST"])
@operate_required
def tool_test(request: HttpRequest, assistant_id: str, tool_id: str) -> HttpResponse:
    result = assistant_services.assistant_fetch(user=request.user, assistant_id=assistant_id)
    tool = next((t for t in services.webhook_tools(result.data) if t["id"] == tool_id), None)
    if tool is None:
        raise Http404("This assistant has no such webhook tool.")
    form = ToolTestForm(request.POST or None, initial={"arguments": _sample_arguments(tool)})
    answer = None
    if request.method == "POST" and form.is_valid():
        try:
            answer = services.tool_test(user=request.user, assistant_id=assistant_id, tool_id=tool_id,
                                        arguments=form.cleaned_data["arguments"],
                                        dynamic_variables=form.cleaned_data["dynamic_variables"])
        except TelnyxError as exc:
            add_telnyx_errors(form, exc)
    return render(request, "assistants/tool_test.html", {
        "assistant": result.data, "result": result, "assistant_id": assistant_id, "tool": tool, "form": form,
        "answer": answer, "pretty_response": _pretty(answer.get("response")) if answer else "",
    })


def _sample_arguments(tool: dict) -> str:
    """A starting point from the tool's JSON-schema parameters: each property with a blank."""
    properties = (tool.get("parameters") or {}).get("properties") or {}
    return json.dumps({name: "" for name in properties}, indent=2) if properties else "{}"


def _pretty(text) -> str:
    """The webhook's answer, indented when it is JSON."""
    if not isinstance(text, str):
        return json.dumps(text, indent=2)
    try:
        return json.dumps(json.loads(text), indent=2)
    except ValueError:
        return text
