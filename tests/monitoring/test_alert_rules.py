"""Production alert rules: a rule fires once per breach, stays quiet in its cooldown, resolves
when the metric recovers; incidents are acknowledged and resolved by hand; the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assistants.models import Assistant
from conversations.models import Conversation, InsightResult
from monitoring import services
from monitoring.models import AlertRule, Incident, IncidentNotice
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db
AID = "asst-acme"


def conversations(n, *, minutes_ago=5, test=False, version="v7", start=0):
    at = timezone.now() - timedelta(minutes=minutes_ago)
    Conversation.objects.bulk_create([
        Conversation(telnyx_id=f"c-{start + i}-{minutes_ago}-{test}", assistant_id=AID, assistant_version_id=version,
                     is_test=test, created_at=at, synced_at=at, turns=4, duration_seconds=90) for i in range(n)])


def scores(values, *, minutes_ago=5):
    at = timezone.now() - timedelta(minutes=minutes_ago)
    for i, value in enumerate(values):
        InsightResult.objects.create(conversation_id=f"s-{i}-{minutes_ago}", template_id="tpl-q", assistant_id=AID,
                                     assistant_version_id="v7", values={"score": value, "resolved": value > 0.5},
                                     occurred_at=at)


def rule(**overrides):
    data = {"name": "Acme volume", "assistant_id": AID, "metric": "volume", "comparison": "above", "threshold": 3,
            "window_minutes": 60, "min_sample": 1, "cooldown_minutes": 60, "email_to": "ops@example.com", **overrides}
    return AlertRule.objects.create(**data)


def test_a_breach_opens_one_incident_and_one_email():
    r = rule()
    conversations(5)
    opened = services.rule_evaluate(r)
    assert opened is not None and opened.value == 5
    assert services.rule_evaluate(r) is None  # still breached: the same incident, no second page
    assert Incident.objects.count() == 1
    assert len(mail.outbox) == 1 and "Acme volume" in mail.outbox[0].subject
    assert IncidentNotice.objects.get().status == IncidentNotice.Status.DELIVERED
    assert AuditEvent.objects.filter(action="fire", resource_type="alert_rule").count() == 1


def test_recovery_resolves_and_the_cooldown_holds_back_a_new_breach():
    r = rule()
    conversations(5)
    incident = services.rule_evaluate(r)
    Conversation.objects.all().delete()
    conversations(1)
    services.rule_evaluate(r)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.RESOLVED and incident.resolved_by == ""
    conversations(6, start=100)
    assert services.rule_evaluate(r) is None  # breached again inside the cooldown
    r.refresh_from_db()
    assert r.suppressed_at is not None and Incident.objects.count() == 1


def test_after_the_cooldown_a_breach_fires_again():
    r = rule(window_minutes=600)
    conversations(5)
    first = services.rule_evaluate(r)
    services.incident_resolve(user=None, incident=first)
    later = services.rule_evaluate(r, now=timezone.now() + timedelta(minutes=61))
    assert later is not None and Incident.objects.count() == 2


def test_test_traffic_and_other_versions_do_not_count():
    r = rule(version_id="v7")
    conversations(3)
    conversations(5, test=True)
    conversations(5, version="v8", start=50)
    assert services.rule_evaluate(r) is None
    r.refresh_from_db()
    assert r.last_value == 3


def test_too_small_a_sample_gives_no_verdict():
    r = rule(metric="turns", comparison="above", threshold=2, min_sample=10)
    conversations(5)
    assert services.rule_evaluate(r) is None


@pytest.mark.parametrize("metric, threshold, fires", [("insight_score", 0.5, True), ("insight_score", 0.2, False),
                                                      ("flag_rate", 0.5, True)])
def test_insight_scores_and_flag_rates(metric, threshold, fires):
    r = rule(metric=metric, comparison="below", threshold=threshold, insight_field=f"tpl-q:{'score' if metric == 'insight_score' else 'resolved'}")
    scores([0.2, 0.3, 0.9])  # mean 0.47; resolved 1 of 3
    assert (services.rule_evaluate(r) is not None) is fires


def test_operator_adds_a_rule_and_a_viewer_sees_it(operator_client, viewer_client):
    Assistant.objects.create(telnyx_id=AID, name="Acme Support", synced_at=timezone.now(), payload={})
    response = operator_client.post(reverse("monitoring:rule-add"), {
        "name": "Acme quality", "assistant_id": AID, "metric": "insight_score", "comparison": "below", "threshold": "0.5",
        "window_minutes": "60", "min_sample": "5", "cooldown_minutes": "60", "email_to": "ops@example.com", "enabled": "on"})
    assert response.status_code == 200 and "Choose the insight field" in response.content.decode()
    response = operator_client.post(reverse("monitoring:rule-add"), {
        "name": "Acme volume", "assistant_id": AID, "metric": "volume", "comparison": "below", "threshold": "1",
        "window_minutes": "60", "min_sample": "0", "cooldown_minutes": "60", "email_to": "not an address", "enabled": "on"})
    assert "Not an email address" in response.content.decode()
    response = operator_client.post(reverse("monitoring:rule-add"), {
        "name": "Acme volume", "assistant_id": AID, "metric": "volume", "comparison": "below", "threshold": "1",
        "window_minutes": "60", "min_sample": "0", "cooldown_minutes": "60", "email_to": "ops@example.com", "enabled": "on"})
    assert response.url == reverse("monitoring:rule-list")
    page = viewer_client.get(reverse("monitoring:rule-list")).content.decode()
    assert "Acme volume" in page and "Acme Support" in page and "Add rule" not in page
    assert viewer_client.post(reverse("monitoring:rule-add"), {}).status_code == 403


def test_an_incident_is_acknowledged_then_resolved(operator_client, viewer_client):
    r = rule()
    conversations(5)
    incident = services.rule_evaluate(r)
    page = viewer_client.get(reverse("monitoring:incident-detail", args=[incident.pk])).content.decode()
    assert "is firing" in page and 'data-testid="acknowledge"' not in page
    assert viewer_client.post(reverse("monitoring:incident-acknowledge", args=[incident.pk])).status_code == 403
    operator_client.post(reverse("monitoring:incident-acknowledge", args=[incident.pk]))
    incident.refresh_from_db()
    assert incident.status == Incident.Status.ACKNOWLEDGED and incident.acknowledged_by
    operator_client.post(reverse("monitoring:incident-resolve", args=[incident.pk]))
    incident.refresh_from_db()
    assert incident.status == Incident.Status.RESOLVED
    assert "acknowledged incident" not in viewer_client.get(reverse("monitoring:rule-list")).content.decode()
