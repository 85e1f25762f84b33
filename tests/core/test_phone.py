"""Phone numbers are checked as E.164 before any Telnyx call: SMS chat and scheduled events."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assistants.forms.scheduled import ScheduledEventForm
from core.phone import to_e164

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["12", "abc", "+1 000", "5551234567", "+999 123"])
def test_what_is_no_phone_number_is_refused(typed):
    with pytest.raises(ValidationError):
        to_e164(typed)


def test_a_number_typed_with_spaces_is_cleaned_to_e164():
    assert to_e164(" +1 (202) 555-0143 ") == "+12025550143"
    assert to_e164("+44 20 7946 0958") == "+442079460958"


def scheduled(**overrides):
    return ScheduledEventForm({"telnyx_conversation_channel": "phone_call", "telnyx_agent_target": "hello",
                               "telnyx_end_user_target": "12", "scheduled_at": "2099-06-01T10:00", "time_zone": "UTC",
                               **overrides})


def test_a_scheduled_call_from_hello_to_12_is_refused_on_both_fields():
    form = scheduled()
    assert not form.is_valid()
    assert "telnyx_agent_target" in form.errors and "telnyx_end_user_target" in form.errors


def test_a_call_may_use_a_sip_uri_but_an_sms_may_not():
    assert scheduled(telnyx_agent_target="sip:bot@example.sip.telnyx.com", telnyx_end_user_target="+12025550143").is_valid()
    sms = scheduled(telnyx_conversation_channel="sms_chat", text="Hi", telnyx_agent_target="sip:bot@example.com",
                    telnyx_end_user_target="+12025550143")
    assert not sms.is_valid() and "SIP URI" in sms.errors["telnyx_agent_target"][0]


def test_sms_chat_from_12_to_abc_is_a_field_error_and_no_telnyx_call(operator_client, telnyx_base):
    import responses
    from django.utils import timezone

    from assistants.models import Assistant

    aid = "assistant-00000001-0000-4000-8000-000000000000"
    Assistant.objects.create(telnyx_id=aid, name="Support bot", synced_at=timezone.now())  # one the portal knows
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        response = operator_client.post(reverse("assistants:chat-sms", args=[aid]), {"from": "12", "to": "abc"},
                                        headers={"HX-Request": "true"})
        assert not [c for c in mock.calls if c.request.method == "POST"]
    content = response.content.decode()
    assert "Start with + and the country code" in content and 'value="abc"' in content
