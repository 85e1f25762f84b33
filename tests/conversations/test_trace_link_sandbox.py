"""A conversation links to its trace in Langfuse where the version that served it traces there
(`observability_settings`), against the sandbox over HTTP. The link is `{host}/trace/{conversation
id}` on a stated assumption (conversations/tracing.py): the page says it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assistants.services.assistants import assistants_sync
from conversations.tasks import conversations_sync
from conversations.tracing import langfuse_trace_url
from portal.telnyx import get_client

pytestmark = pytest.mark.django_db(transaction=True)

TRACING = {"status": "enabled", "host": "https://langfuse.example.com/", "public_key_ref": "lf-public", "secret_key_ref": "lf-secret"}


def chat_with(name: str, observability: dict) -> str:
    client = get_client()
    assistant = client.post("ai/assistants", json={"name": name, "model": "meta-llama/Meta-Llama-3.1-8B-Instruct",
                                                   "instructions": "Be brief.", "observability_settings": observability}).data
    client.post(f"ai/assistants/{assistant['id']}/chat", json={"content": "hello", "conversation_id": f"conv-{name.lower()}"})
    return assistant["id"]


def test_a_traced_conversation_links_to_langfuse_and_an_untraced_one_does_not(sandbox, viewer_client):
    traced_assistant = chat_with("Traced", TRACING)
    chat_with("Untraced", {"status": "disabled"})
    assert assistants_sync().ok and conversations_sync().ok
    from conversations.models import Conversation

    assert Conversation.objects.count() == 2
    for row in Conversation.objects.all():
        page = viewer_client.get(reverse("conversations:conversation-detail", args=[row.telnyx_id])).content.decode()
        if row.assistant_id == traced_assistant:
            assert f'href="https://langfuse.example.com/trace/{row.telnyx_id}"' in page
            assert "Assumes Telnyx names the Langfuse trace after the conversation id" in page
        else:
            assert 'data-testid="trace-link"' not in page


@pytest.mark.parametrize("host", ["javascript:alert(1)", "https://user:pw@lf.example", "ftp://lf.example", "", "https://lf.example/?x=1", "lf"])
def test_a_host_that_is_not_a_plain_web_address_gives_no_link(host):
    assert langfuse_trace_url({"status": "enabled", "host": host}, "conv-1") == ""


def test_tracing_off_or_an_unusable_conversation_id_gives_no_link():
    assert langfuse_trace_url({**TRACING, "status": "disabled"}, "conv-1") == ""
    assert langfuse_trace_url(TRACING, "odd id/..") == ""
    assert langfuse_trace_url(TRACING, "conv-1") == "https://langfuse.example.com/trace/conv-1"
