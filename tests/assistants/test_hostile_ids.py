"""A hostile id never changes which Telnyx endpoint the assistants app calls.

Each service is called with ids holding `?`, `/`, `#`, `%` or `..`: the request that goes out
names exactly the intended route with the id as one percent-encoded segment, or nothing is
sent at all (`.`/`..`, refused as InvalidIdError) and nothing is written.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
import responses
from django.urls import reverse

from assistants.services import canary, change, chat, lifecycle, scheduled, tools, versions
from portal.models import AuditEvent
from portal.telnyx import InvalidIdError

pytestmark = pytest.mark.django_db

HOSTILE = ["abc?x", "a/b", "a#b", "a%3Fb", "abc?promote_to_main=true"]
REFUSED = ["..", "."]


def seg(value: str) -> str:
    return quote(value, safe="")


def only_call(method: str, url: str) -> None:
    """Exactly one request went out, with this method, to this URL (path only: no query smuggled in)."""
    assert len(responses.calls) == 1, [c.request.url for c in responses.calls]
    request = responses.calls[0].request
    assert request.method == method
    assert request.url == url


@pytest.fixture
def base(telnyx_base):
    return f"{telnyx_base}/ai/assistants"


@responses.activate
@pytest.mark.parametrize("hostile", HOSTILE)
def test_chat_send_quotes_the_assistant_id(base, operator, hostile, monkeypatch):
    monkeypatch.setattr(chat, "serving_version", lambda conversation_id: "")
    url = f"{base}/{seg(hostile)}/chat"
    responses.post(url, json={"content": "hi"})
    chat.chat_send(user=operator, assistant_id=hostile, content="hello", conversation_id="conv-1")
    only_call("POST", url)


@responses.activate
@pytest.mark.parametrize("hostile", HOSTILE)
def test_version_promote_quotes_both_ids(base, team_admin, hostile):
    responses.get(f"{base}/{seg(hostile)}/canary-deploys", status=404)
    url = f"{base}/{seg(hostile)}/versions/{seg(hostile)}/promote"
    responses.post(url, json={"id": hostile, "version_id": hostile})
    versions.version_promote(user=team_admin, assistant_id=hostile, version_id=hostile, from_version_id="v-main")
    assert [c.request.url for c in responses.calls] == [f"{base}/{seg(hostile)}/canary-deploys", url]


@responses.activate
@pytest.mark.parametrize("hostile", HOSTILE)
def test_restore_posts_to_the_restore_route_not_an_update(base, team_admin, hostile):
    url = f"{base}/{seg(hostile)}/restore"
    responses.post(url, json={"id": hostile, "name": "Back"})
    lifecycle.assistant_restore(user=team_admin, assistant_id=hostile)
    only_call("POST", url)


@responses.activate
@pytest.mark.parametrize("hostile", HOSTILE)
def test_update_tool_test_and_scheduled_cancel_stay_on_their_routes(base, team_admin, hostile):
    responses.post(f"{base}/{seg(hostile)}", json={"id": hostile, "version_id": "v-2"})
    responses.post(f"{base}/{seg(hostile)}/tools/{seg(hostile)}/test", json={"data": {"status_code": 200}})
    responses.delete(f"{base}/{seg(hostile)}/scheduled_events/{seg(hostile)}", status=204)
    responses.get(f"{base}/{seg(hostile)}/scheduled_events/{seg(hostile)}", json={"scheduled_event_id": hostile})
    change.assistant_update(user=team_admin, assistant_id=hostile, changes={"name": "x"}, before={}, promote_to_main=False)
    tools.tool_test(user=team_admin, assistant_id=hostile, tool_id=hostile, arguments={}, dynamic_variables={})
    scheduled.scheduled_event_cancel(user=team_admin, assistant_id=hostile, event_id=hostile)
    assert [(c.request.method, c.request.url) for c in responses.calls] == [
        ("POST", f"{base}/{seg(hostile)}"),
        ("POST", f"{base}/{seg(hostile)}/tools/{seg(hostile)}/test"),
        ("DELETE", f"{base}/{seg(hostile)}/scheduled_events/{seg(hostile)}"),
        ("GET", f"{base}/{seg(hostile)}/scheduled_events/{seg(hostile)}"),  # the cancelled event read back
    ]


@responses.activate
@pytest.mark.parametrize("hostile", REFUSED)
def test_dot_ids_are_refused_before_anything_is_sent(team_admin, hostile):
    with pytest.raises(InvalidIdError):
        lifecycle.assistant_restore(user=team_admin, assistant_id=hostile)
    with pytest.raises(InvalidIdError):
        versions.version_delete(user=team_admin, assistant_id="assistant-1", version_id=hostile)
    assert canary.canary_delete(user=team_admin, assistant_id=hostile) is False  # no such deploy
    assert len(responses.calls) == 0
    # The refused attempts are audited as failures; nothing was written anywhere.
    assert set(AuditEvent.objects.values_list("outcome", flat=True)) == {"failure"}


@responses.activate
@pytest.mark.parametrize("path_id", ["abc%3Fx", "a%2Fb", "..", "a%23b"])
def test_a_hostile_id_in_the_url_is_a_404_and_calls_nothing(operator_client, path_id):
    url = reverse("assistants:chat-send", args=["placeholder"]).replace("placeholder", path_id)
    response = operator_client.post(url, {"content": "hello"})
    assert response.status_code == 404
    assert len(responses.calls) == 0
