"""Alert rules on production traffic, the incidents they open, and each incident's notices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import AlertDeliveryBase


class AlertRule(models.Model):
    """"Tell me when Acme Support's quality score drops below 0.5 for an hour": an assistant
    (optionally one version), a metric, a threshold and a window, sent by email and webhook,
    at most once per cooldown."""

    class Metric(models.TextChoices):
        VOLUME = "volume", "Conversations (count)"
        TURNS = "turns", "Turns per conversation (mean)"
        DURATION = "duration", "Duration in seconds (mean)"
        RESPONSE_LATENCY = "response_latency", "Response latency in seconds (mean)"
        TOOL_FAILURES = "tool_failures", "Tool failures (share of conversations with a failed tool call)"
        INSIGHT_SCORE = "insight_score", "Insight score (mean)"
        FLAG_RATE = "flag_rate", "Insight flag rate (share answered yes)"

    class Comparison(models.TextChoices):
        BELOW = "below", "drops below"
        ABOVE = "above", "rises above"

    name = models.CharField(max_length=200)
    assistant_id = models.CharField(max_length=200, db_index=True)
    version_id = models.CharField(max_length=200, blank=True)  # "" for every version
    metric = models.CharField(max_length=20, choices=Metric.choices)
    # For insight metrics: "<template id>:<field>" as the conversations list names insight fields.
    insight_field = models.CharField(max_length=300, blank=True)
    comparison = models.CharField(max_length=10, choices=Comparison.choices, default=Comparison.BELOW)
    threshold = models.FloatField()
    window_minutes = models.PositiveIntegerField(default=60)
    # Fewer conversations than this in the window: no verdict (a mean of two calls is noise).
    min_sample = models.PositiveIntegerField(default=5)
    cooldown_minutes = models.PositiveIntegerField(default=60)
    email_to = models.TextField(blank=True)
    webhook_url = models.CharField(max_length=500, blank=True)
    enabled = models.BooleanField(default=True)
    # Bookkeeping of the evaluator.
    last_evaluated_at = models.DateTimeField(null=True, blank=True)
    last_value = models.FloatField(null=True, blank=True)
    last_sample = models.PositiveIntegerField(default=0)
    last_fired_at = models.DateTimeField(null=True, blank=True)
    suppressed_at = models.DateTimeField(null=True, blank=True)  # a breach the cooldown held back
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def recipients(self) -> list[str]:
        return [a.strip() for a in self.email_to.split(",") if a.strip()]

    def breached(self, value: float) -> bool:
        return value < self.threshold if self.comparison == self.Comparison.BELOW else value > self.threshold


class Incident(models.Model):
    """A rule's breach: open until acknowledged and resolved (by a person, or by the metric
    coming back, which the evaluator notes)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="incidents")
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN, db_index=True)
    opened_at = models.DateTimeField(default=timezone.now)
    value = models.FloatField()  # the metric when it fired
    sample = models.PositiveIntegerField(default=0)
    last_value = models.FloatField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=150, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)  # a username, or "" when the metric recovered

    class Meta:
        ordering = ["-opened_at", "-pk"]

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.RESOLVED


class IncidentNotice(AlertDeliveryBase):
    """One incident's alert on one channel."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notices")

    class Meta(AlertDeliveryBase.Meta):
        constraints = [models.UniqueConstraint(fields=["incident", "channel", "target"], name="one_notice_per_channel")]
