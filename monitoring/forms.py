"""The alert rule form."""

from __future__ import annotations

from django import forms
from django.conf import settings

from core.forms import email_list
from monitoring.models import AlertRule

INSIGHT_METRICS = (AlertRule.Metric.INSIGHT_SCORE, AlertRule.Metric.FLAG_RATE)


class AlertRuleForm(forms.ModelForm):
    class Meta:
        model = AlertRule
        fields = ["name", "assistant_id", "version_id", "metric", "insight_field", "comparison", "threshold",
                  "window_minutes", "min_sample", "cooldown_minutes", "email_to", "webhook_url", "enabled"]
        labels = {"assistant_id": "Assistant", "version_id": "Version", "insight_field": "Insight field",
                  "window_minutes": "Window (minutes)", "min_sample": "At least this many conversations",
                  "cooldown_minutes": "Cooldown (minutes)", "email_to": "Email to", "webhook_url": "Webhook",
                  "comparison": "Fire when it"}
        help_texts = {"version_id": "Empty: every version of the assistant.",
                      "insight_field": "For insight metrics: the field whose score or yes/no is measured.",
                      "min_sample": "Fewer in the window gives no verdict (a mean of two calls is noise).",
                      "cooldown_minutes": "After firing, a new breach within this time opens no new incident.",
                      "email_to": "Comma-separated addresses."}
        widgets = {"email_to": forms.TextInput()}

    def __init__(self, *args, assistant_choices=(), version_choices=(), field_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assistant_id"].widget = forms.Select(choices=[("", "Choose an assistant…"), *assistant_choices])
        self.fields["version_id"].widget = forms.Select(choices=[("", "Every version"), *version_choices])
        self.fields["insight_field"].widget = forms.Select(choices=[("", "—"), *field_choices])
        self.fields["webhook_url"].widget = forms.Select(choices=[("", "No webhook"), *((u, u) for u in settings.ALERT_WEBHOOK_URLS)])
        self.fields["window_minutes"].min_value = 1

    def clean_webhook_url(self):
        url = self.cleaned_data.get("webhook_url") or ""
        if url and url not in settings.ALERT_WEBHOOK_URLS:
            raise forms.ValidationError("Choose one of the webhooks an admin configured.")
        return url

    def clean_email_to(self):
        return email_list(self.cleaned_data.get("email_to") or "")

    def clean(self):
        data = super().clean()
        if data.get("metric") in INSIGHT_METRICS and not data.get("insight_field"):
            self.add_error("insight_field", "Choose the insight field this metric reads.")
        if data.get("window_minutes") == 0:
            self.add_error("window_minutes", "The window is at least a minute.")
        return data
