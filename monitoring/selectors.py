"""Monitoring reads, from the database only."""

from __future__ import annotations

from django.db.models import QuerySet

from assistants.models import Assistant, AssistantVersion
from conversations.insights.fields import insight_fields
from monitoring.models import AlertRule, Incident


def rules() -> QuerySet[AlertRule]:
    return AlertRule.objects.all()


def incidents() -> QuerySet[Incident]:
    return Incident.objects.select_related("rule")


def open_incidents() -> dict[int, Incident]:
    """{rule id: its unresolved incident}."""
    return {i.rule_id: i for i in Incident.objects.exclude(status=Incident.Status.RESOLVED).select_related("rule")}


def recent_incidents(limit: int = 20) -> list[Incident]:
    return list(Incident.objects.select_related("rule")[:limit])


def assistant_choices() -> list[tuple[str, str]]:
    return list(Assistant.objects.order_by("name").values_list("telnyx_id", "name"))


def version_choices() -> list[tuple[str, str]]:
    names = dict(Assistant.objects.values_list("telnyx_id", "name"))
    rows = AssistantVersion.objects.exclude(version_id="").order_by("assistant_id", "-created_at")
    return [(v, f"{names.get(a, a)} · {n or v[:8]}") for v, a, n in rows.values_list("version_id", "assistant_id", "name")[:200]]


def insight_field_choices() -> list[tuple[str, str]]:
    return [(value, label) for value, label, kind in insight_fields() if kind in ("score", "flag")]


def assistant_names() -> dict[str, str]:
    return dict(Assistant.objects.values_list("telnyx_id", "name"))
