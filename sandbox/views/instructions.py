"""`POST /ai/assistants/{id}/instructions/enhance`: improved instructions as streamed text/plain."""

from django.http import StreamingHttpResponse

from sandbox.api import validate
from sandbox.behaviour import assistants as svc
from sandbox.behaviour.enhance import enhanced_instructions
from sandbox.behaviour.shared_tools import merged_tools


def instructions_enhance(request, assistant_id):
    body = request.json
    validate(body, optional={"instructions": str, "enhancement_prompt": str})
    config = svc.get_assistant(assistant_id).main_version.config
    text = enhanced_instructions(body.get("instructions") or config.get("instructions") or "",
                                 merged_tools(config), body.get("enhancement_prompt") or "")
    # Telnyx streams the text in chunks as the model writes it; so does the sandbox, line by line.
    return StreamingHttpResponse((line + "\n" for line in text.splitlines()), content_type="text/plain; charset=utf-8")
