"""Where Telnyx posts insight results (no login: only bodies with Telnyx's signature are accepted)."""

from django.urls import path

from conversations.insights.views.webhook import telnyx_insights_webhook

urlpatterns = [
    path("", telnyx_insights_webhook, name="telnyx-insights-webhook"),
]
