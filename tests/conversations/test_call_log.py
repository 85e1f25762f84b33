"""The call log: caller and callee, channel in words, duration, turns, end reason and the
insight score by default; test traffic hidden by default (and out of observed splits); search
by assistant name, caller prefix, name and the words said, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
import responses
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assistants.models import Assistant
from conversations import services
from conversations.insights.store import insight_runs_store
from conversations.models import Conversation, ConversationTranscript
from conversations.transcripts import transcript_store, transcripts_index
from portal.models import SyncState

pytestmark = pytest.mark.django_db
LIST = reverse("conversations:conversation-list")


def conv(n, *, caller="+15550001111", assistant="asst-acme", test=False, channel="sms_chat", minutes=3, **metadata):
    start = timezone.now() - timedelta(hours=n)
    return {"id": f"conv-{n}", "name": f"Call {n}", "created_at": start.isoformat(),
            "last_message_at": (start + timedelta(minutes=minutes, seconds=5)).isoformat(),
            "metadata": {"assistant_id": assistant, "assistant_version_id": "v7", "telnyx_conversation_channel": channel,
                         "telnyx_end_user_target": caller, "telnyx_agent_target": "+15550100000",
                         **({"test_id": "t-1"} if test else {}), **metadata}}


@pytest.fixture
def log():
    Assistant.objects.create(telnyx_id="asst-acme", name="Acme Support", synced_at=timezone.now(), payload={})
    Assistant.objects.create(telnyx_id="asst-other", name="Billing Bot", synced_at=timezone.now(), payload={})
    services.conversation_cache_put(conv(1, caller="+4930123456", end_reason="caller hung up"))
    services.conversation_cache_put(conv(2, caller="+15550009999", assistant="asst-other"))
    services.conversation_cache_put(conv(3, test=True))
    SyncState.objects.create(resource="conversations", synced_at=timezone.now())


def rows(page: str) -> str:
    return page.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in page else ""


def test_columns_say_who_called_how_long_and_why_it_ended(viewer_client, log):
    transcript_store("conv-1", [{"role": "user", "text": "hi"}, {"role": "assistant", "text": "hello"}])
    page = rows(viewer_client.get(LIST).content.decode())
    first = page.split("Call 1")[1].split("</tr>")[0]
    assert "+4930123456 → +15550100000" in first and "SMS chat" in first and "sms_chat" not in first
    assert "3m 05s" in first and ">2<" in first and "caller hung up" in first


def test_turns_unknown_until_the_transcript_is_read_and_a_missing_end_reason_is_said(viewer_client, log):
    services.conversation_cache_put(conv(4, channel="phone_call"))
    transcript_store("conv-2", [])  # read: no messages at all
    page = rows(viewer_client.get(LIST).content.decode())
    row = {n: page.split(f"Call {n}<")[1].split("</tr>")[0] for n in (1, 2, 4)}
    assert "not read yet" in row[1] and "not read yet" in row[4]  # never read: not 0
    assert "not read yet" not in row[2] and 'data-testid="turns">0<' in row[2]
    assert "end not given" in row[4] and "end not given" not in row[2]  # a call names its end reason, a chat has none


def test_the_insight_score_shows_as_a_column_by_default(viewer_client, log):
    insight_runs_store(conversation=Conversation.objects.get(telnyx_id="conv-1"), source="sync", runs=[{
        "id": "r1", "status": "completed", "created_at": timezone.now().isoformat(),
        "conversation_insights": [{"insight_id": "tpl-q", "result": '{"score": 0.42, "resolved": false}'}]}])
    page = viewer_client.get(LIST).content.decode()
    assert 'data-testid="insight-column">0.42' in page
    assert 'data-testid="insight-column"' not in viewer_client.get(LIST, {"column": ""}).content.decode()


def test_test_traffic_is_hidden_by_default(viewer_client, log):
    assert "Call 3" not in rows(viewer_client.get(LIST).content.decode())
    everything = rows(viewer_client.get(LIST, {"traffic": "all"}).content.decode())
    assert "Call 3" in everything and "test run" in everything
    only = rows(viewer_client.get(LIST, {"traffic": "tests"}).content.decode())
    assert "Call 3" in only and "Call 1" not in only


@pytest.mark.parametrize("query, found, not_found", [
    ("billing", "Call 2", "Call 1"),          # assistant name
    ("+4930", "Call 1", "Call 2"),            # caller number prefix
    ("4930 12", "Call 1", "Call 2"),          # typed without + and with a space
    ("call 2", "Call 2", "Call 1"),           # conversation name
    ("refund Friday", "Call 2", "Call 1"),    # transcript words, every one, any order
])
def test_search_finds_what_a_person_knows(viewer_client, log, query, found, not_found):
    transcript_store("conv-2", [{"role": "user", "text": "I want a refund for Friday's booking."}])
    transcript_store("conv-1", [{"role": "user", "text": "Is the refund desk open?"}])
    page = rows(viewer_client.get(LIST, {"q": query}).content.decode())
    assert found in page and not_found not in page


def test_search_query_count_does_not_grow_with_matches(viewer_client, log):
    transcript_store("conv-1", [{"role": "user", "text": "refund please"}])
    viewer_client.get(LIST, {"q": "refund"})
    with CaptureQueriesContext(connection) as few:
        viewer_client.get(LIST, {"q": "refund", "sort": "-duration"})
    for n in range(10, 40):
        services.conversation_cache_put(conv(n))
        transcript_store(f"conv-{n}", [{"role": "user", "text": "refund now"}])
    viewer_client.get(LIST, {"q": "refund", "sort": "created"})  # kept choices and counts read once per change
    with CaptureQueriesContext(connection) as many:
        viewer_client.get(LIST, {"q": "refund", "sort": "turns"})
    assert len(many) == len(few)


@responses.activate
def test_the_indexer_reads_the_newest_real_conversations_first(log, telnyx_base):
    for n in (1, 2):
        responses.get(f"{telnyx_base}/ai/conversations/conv-{n}/messages", json={
            "data": [{"role": "user", "text": f"words of call {n}"}], "meta": {"page_number": 1, "total_pages": 1}})
    outcome = transcripts_index(limit=5)
    assert outcome.count == 2  # conv-3 is a test run's: not indexed
    assert set(ConversationTranscript.objects.values_list("conversation_id", flat=True)) == {"conv-1", "conv-2"}
    assert Conversation.objects.get(telnyx_id="conv-2").turns == 1
    assert transcripts_index(limit=5).count == 0  # nothing left to read


@responses.activate
def test_observed_split_leaves_test_traffic_out(operator, telnyx_base):
    from assistants.services.observed import observed_split

    responses.get(f"{telnyx_base}/ai/conversations", json={"data": [conv(1), conv(2), conv(3, test=True)]})
    split = observed_split(user=operator, assistant_id="asst-acme", refresh=True)
    assert split.windows[-1].total == 2


def test_demo_conversation_titles_name_their_own_channel():
    from django.core.management import call_command

    from sandbox.models import SbConversation

    call_command("sandbox_seed", "--demo", verbosity=0)
    labels = {"web_chat": "Web chat", "phone_call": "Phone call", "sms_chat": "SMS chat"}
    titled = SbConversation.objects.filter(is_demo=True, name__in=labels.values())
    assert titled.exists()
    assert all(c.name == labels[c.metadata["telnyx_conversation_channel"]] for c in titled)
