"""A conversation's trace in Langfuse, where the version that served it traces there.

What Telnyx says (SDK 4.189.0): an assistant version's `observability_settings` hold `status`,
the Langfuse `host`, the key references and the prompt-sync settings. Nothing says how Telnyx
names a conversation's trace: the conversation object carries no trace or session id. Langfuse's
traces view lives under a project (`/project/{project id}/traces`), and the settings hold no
project id, so a traces view filtered by the conversation cannot be linked. Langfuse does
answer `{host}/trace/{trace id}` without a project: it redirects to that trace in whichever
project holds it, or says it found none (Langfuse's `web/src/pages/trace/[traceId].tsx`).

So the link is `{host}/trace/{conversation id}`, on one stated assumption: Telnyx uses the
conversation id as the trace id. The page says so, and says to search Langfuse's Traces view for
the id when Langfuse finds no such trace.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from portal.converters import is_telnyx_id

ASSUMPTION = ("Assumes Telnyx names the Langfuse trace after the conversation id (Telnyx does not document it); "
              "if Langfuse finds no trace, search its Traces view for this id.")


def langfuse_trace_url(settings: object, conversation_id: str) -> str:
    """The trace's address in Langfuse, or "" when tracing is not on or the host is not a plain
    http(s) address (the settings come from Telnyx: nothing odd becomes a link)."""
    if not isinstance(settings, dict) or settings.get("status") != "enabled" or not is_telnyx_id(conversation_id):
        return ""
    host = str(settings.get("host") or "").strip()
    parts = urlsplit(host)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password or parts.query or parts.fragment:
        return ""
    return f"{host.rstrip('/')}/trace/{quote(conversation_id, safe='')}"
