"""Under two-person approval, the shared tool library is no way around the second Admin: attaching,
detaching and moving inline tools make a new main version at once, and editing or deleting a
shared tool changes what every assistant using it answers with no version at all, so each is
refused for an assistant with the rule on, before anything is sent, and still works with it off.
Telnyx mocked (`responses`): with the rule on, no request is registered, so any call would fail."""

from __future__ import annotations

import pytest
import responses
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from assistants.hooks import LiveEditRefused
from assistants.models import Assistant
from portal.models import AuditEvent
from releases.models import ReleasePolicy
from shared_tools import services
from shared_tools.models import SharedTool

pytestmark = pytest.mark.django_db
GUARDED, FREE = "asst-guarded", "asst-free"
INLINE = [{"type": "webhook", "webhook": {"name": "lookup", "description": "Look up", "url": "https://example.com/x"}}]


@pytest.fixture
def rules(db):
    """The rule on for one assistant only (the global setting is off)."""
    ReleasePolicy.objects.create(assistant_id=GUARDED, two_person_approval=True)
    ReleasePolicy.objects.create(assistant_id=FREE, two_person_approval=False)


@pytest.fixture
def mock(telnyx_base):
    with responses.RequestsMock() as mocked:
        mocked.base = telnyx_base
        yield mocked


@pytest.mark.parametrize("attach", [True, False])
def test_attaching_or_detaching_is_refused_with_the_rule_on(team_admin, rules, mock, attach):
    with pytest.raises(LiveEditRefused, match="second Admin.*Change tab, then Make live"):
        services.tool_attach(user=team_admin, assistant_id=GUARDED, tool_id="tool-1", attach=attach)
    assert not mock.calls and not AuditEvent.objects.exists()


@pytest.mark.parametrize("attach", [True, False])
def test_attaching_or_detaching_still_works_with_the_rule_off(team_admin, rules, mock, attach):
    path = f"{mock.base}/ai/assistants/{FREE}/tools/tool-1"
    (mock.put if attach else mock.delete)(path, json={})
    mock.get(f"{mock.base}/ai/assistants/{FREE}", json={"id": FREE, "name": "Free", "tool_ids": ["tool-1"] if attach else []})
    services.tool_attach(user=team_admin, assistant_id=FREE, tool_id="tool-1", attach=attach)
    assert AuditEvent.objects.get().action == ("attach_tool" if attach else "detach_tool")


def test_moving_inline_tools_is_refused_with_the_rule_on_before_any_tool_is_created(team_admin, rules, mock):
    with pytest.raises(LiveEditRefused, match="moving inline tools into the library would change what callers get"):
        services.move_inline_tools(user=team_admin, assistant_id=GUARDED, inline=INLINE, existing_ids=[],
                                   idempotency_key="k")
    assert not mock.calls and not SharedTool.objects.exists()


def test_moving_inline_tools_still_works_with_the_rule_off(team_admin, rules, mock):
    mock.post(f"{mock.base}/ai/tools", json={"data": {"id": "tool-new", "display_name": "lookup", "type": "webhook"}})
    mock.post(f"{mock.base}/ai/assistants/{FREE}", json={"id": FREE, "name": "Free", "tool_ids": ["tool-new"]})
    assert services.move_inline_tools(user=team_admin, assistant_id=FREE, inline=INLINE, existing_ids=[],
                                      idempotency_key="k") == ["tool-new"]


def used_by(assistant_id: str) -> None:
    Assistant.objects.create(telnyx_id=assistant_id, name=assistant_id.title(), payload={"tool_ids": ["tool-1"]},
                             synced_at=timezone.now())


def test_editing_or_deleting_a_tool_an_assistant_under_the_rule_uses_is_refused(team_admin, rules, mock):
    used_by(FREE)
    used_by(GUARDED)
    with pytest.raises(LiveEditRefused, match="editing this shared tool, which “Asst-Guarded” uses, would change"):
        services.tool_update(user=team_admin, tool_id="tool-1", data={"timeout_ms": 9000})
    with pytest.raises(LiveEditRefused, match="deleting this shared tool"):
        services.tool_delete(user=team_admin, tool_id="tool-1")
    assert not mock.calls and not AuditEvent.objects.exists()


def test_editing_or_deleting_a_tool_used_only_with_the_rule_off_still_works(team_admin, rules, mock):
    used_by(FREE)
    mock.patch(f"{mock.base}/ai/tools/tool-1", json={"data": {"id": "tool-1", "display_name": "x", "type": "webhook"}})
    mock.delete(f"{mock.base}/ai/tools/tool-1", json={})
    services.tool_update(user=team_admin, tool_id="tool-1", data={"timeout_ms": 9000})
    assert services.tool_delete(user=team_admin, tool_id="tool-1") is True


def test_the_pages_say_why_and_what_to_do_instead(team_admin_client, rules, mock, monkeypatch):
    monkeypatch.setattr("shared_tools.selectors.assistant_choices", lambda: [(GUARDED, "Guarded")])
    monkeypatch.setattr("shared_tools.selectors.inline_tools", lambda aid: ("Guarded", INLINE))
    monkeypatch.setattr("shared_tools.selectors.assistant_tool_ids", lambda aid: [])
    attach = team_admin_client.post(reverse("shared_tools:tool-attach", args=["tool-1"]), {"assistant_id": GUARDED})
    assert attach.status_code == 302
    assert "Two-person approval is on for this assistant" in str(list(get_messages(attach.wsgi_request))[0])
    move = team_admin_client.post(reverse("shared_tools:move-inline", args=[GUARDED]), {"idempotency_key": "k"})
    assert move.status_code == 200 and "Make live, which asks a second Admin" in move.content.decode()
    used_by(GUARDED)
    delete = team_admin_client.get(reverse("shared_tools:tool-delete", args=["tool-1"]))  # not even the confirm page
    assert delete.url == reverse("shared_tools:tool-detail", args=["tool-1"])
    assert "deleting this shared tool" in str(list(get_messages(delete.wsgi_request))[-1])
    assert not mock.calls
