"""Scheduling a call or SMS chat, and filtering the scheduled events."""

from __future__ import annotations

from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.utils import timezone

from assistants.services.scheduled import CANCELLED, STATUSES
from core.changelist import FilterForm
from core.forms import IdempotentForm
from core.phone import PhoneNumberField


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(available_timezones()) if "/" in name or name == "UTC"]


class ScheduledEventForm(IdempotentForm):
    """Schedule a phone call or SMS chat. The admin types a local date-time in their time zone;
    Telnyx gets it in UTC."""

    telnyx_conversation_channel = forms.ChoiceField(label="Channel", choices=[("phone_call", "Phone call"), ("sms_chat", "SMS chat")])
    telnyx_agent_target = PhoneNumberField(label="Agent target", allow_sip=True,
                                           help_text="The assistant's side: your Telnyx number (+15551234567) or, for calls, a SIP URI.")
    telnyx_end_user_target = PhoneNumberField(label="End-user target", allow_sip=True,
                                              help_text="Who is called or texted, e.g. +15551234567 (a SIP URI for calls).")
    scheduled_at = forms.DateTimeField(label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
    time_zone = forms.ChoiceField(label="Time zone", help_text="The date-time above is in this zone; it is sent to Telnyx in UTC.",
                                  widget=forms.Select(attrs={"data-browser-tz": "1"}))
    text = forms.CharField(required=False, max_length=1600, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="The SMS to send (required for SMS chats).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = _time_zone_choices()
        # The reader's own zone (their preference, active for this request), else UTC.
        self.fields["time_zone"].initial = timezone.get_current_timezone_name()
        if self.fields["time_zone"].initial != timezone.get_default_timezone_name():
            self.fields["time_zone"].widget.attrs["data-bound"] = "1"  # a chosen zone: the browser's does not override it
        if self.is_bound:  # keep what the admin chose; portal.js only fills a fresh form
            self.fields["time_zone"].widget.attrs["data-bound"] = "1"

    def clean(self):
        data = super().clean()
        if data.get("telnyx_conversation_channel") == "sms_chat" and not (data.get("text") or "").strip():
            self.add_error("text", "SMS chats need the text to send.")
        if data.get("telnyx_conversation_channel") == "sms_chat":
            for name in ("telnyx_agent_target", "telnyx_end_user_target"):
                if str(data.get(name) or "").lower().startswith("sip:"):
                    self.add_error(name, "An SMS goes to a phone number, not a SIP URI.")
        when, zone = data.get("scheduled_at"), data.get("time_zone")
        if when and zone:
            # The field parsed the naive input in the server's zone; re-read it in the admin's.
            local = timezone.make_naive(when) if timezone.is_aware(when) else when
            data["scheduled_at_utc"] = local.replace(tzinfo=ZoneInfo(zone)).astimezone(dt_timezone.utc)
            if data["scheduled_at_utc"] <= timezone.now():
                self.add_error("scheduled_at", "Choose a time in the future.")
        return data

    def to_body(self) -> dict:
        data = self.cleaned_data
        body = {
            "telnyx_conversation_channel": data["telnyx_conversation_channel"],
            "telnyx_agent_target": data["telnyx_agent_target"],
            "telnyx_end_user_target": data["telnyx_end_user_target"],
            "scheduled_at_fixed_datetime": data["scheduled_at_utc"].strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if data["telnyx_conversation_channel"] == "sms_chat":
            body["text"] = data["text"].strip()
        return body


class ScheduledEventFilterForm(FilterForm):
    """The Scheduled tab's search (either target or the event id), status and channel filters, sort."""

    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *((s, s.replace("_", " ")) for s in (*STATUSES, CANCELLED))])
    channel = forms.ChoiceField(required=False, choices=[("", "Any channel"), ("phone_call", "Phone call"), ("sms_chat", "SMS chat")])

    filter_lookups = {"status": "status", "channel": "channel"}
    search_fields = ["end_user_target", "agent_target", "event_id"]
