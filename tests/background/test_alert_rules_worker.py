"""An alert rule judged by a real worker from the cache: it fires once (one incident, one
notice) however often it is evaluated, respects its cooldown, and resolves when the metric
recovers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation
from monitoring.models import AlertRule, Incident, IncidentNotice
from monitoring.tasks import evaluate_alert_rules
from portal.models import TaskRecord

from .conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def calls(n: int, start: int = 0) -> None:
    at = timezone.now() - timedelta(minutes=5)
    Conversation.objects.bulk_create([Conversation(telnyx_id=f"w-{start + i}", assistant_id="asst-1", created_at=at,
                                                   synced_at=at) for i in range(start, start + n)])


def evaluated(times: int) -> None:
    """Send the beat's message and wait until the worker has handled `times` of them."""
    evaluate_alert_rules.apply_async()
    wait_for(lambda: TaskRecord.objects.filter(name="monitoring.evaluate_alert_rules", state="succeeded").count() >= times,
             what=f"evaluation {times} on the worker")


@pytest.mark.parametrize("broker", ["embedded"], indirect=True)
def test_a_rule_fires_once_respects_its_cooldown_and_resolves(start_worker):
    rule = AlertRule.objects.create(name="Acme surge", assistant_id="asst-1", metric="volume", comparison="above",
                                    threshold=3, window_minutes=60, min_sample=1, cooldown_minutes=60,
                                    email_to="ops@example.com")
    calls(5)
    start_worker(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    evaluated(1)
    evaluated(2)  # still breached: the same incident
    incident = Incident.objects.get()
    assert incident.status == Incident.Status.OPEN and incident.value == 5
    assert IncidentNotice.objects.get().status == IncidentNotice.Status.DELIVERED

    Conversation.objects.all().delete()
    calls(1)
    evaluated(3)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.RESOLVED and incident.resolved_by == ""  # the metric recovered

    calls(6, start=100)
    evaluated(4)  # breached again within the cooldown: noted, no new incident, nobody paged
    rule.refresh_from_db()
    assert rule.suppressed_at is not None
    assert Incident.objects.count() == 1 and IncidentNotice.objects.count() == 1
