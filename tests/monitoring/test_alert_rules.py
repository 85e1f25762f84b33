"""Production alert rules: a rule fires once per breach, stays quiet in its cooldown, resolves
when the metric recovers; incidents are acknowledged and resolved by hand; the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assistants.models import Assistant
from conversations.models import Conversation, ConversationHour, InsightResult
from conversations.rollups import rebuild_measures
from conversations.transcripts import transcript_measures, transcript_store
from core.cache import cache_put_many
from monitoring import services
from monitoring.models import AlertRule, Incident, IncidentNotice
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db
AID = "asst-acme"


def conversations(n, *, minutes_ago=5, test=False, version="v7", start=0, **measures):
    at = timezone.now() - timedelta(minutes=minutes_ago)
    Conversation.objects.bulk_create([
        Conversation(telnyx_id=f"c-{start + i}-{minutes_ago}-{test}", assistant_id=AID, assistant_version_id=version,
                     is_test=test, created_at=at, synced_at=at, **{"turns": 4, "duration_seconds": 90, **measures})
        for i in range(n)])
    rebuild_measures()  # bulk-created around the write path: recount the per-hour sums


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
    rebuild_measures()
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


def message(role, seconds, text="…", **extra):
    at = (timezone.now() - timedelta(minutes=10) + timedelta(seconds=seconds)).isoformat()
    return {"role": role, "text": text, "created_at": at, "sent_at": at, **extra}


def test_transcript_measures_latency_and_tool_failures():
    call = [{"id": "t1", "type": "function", "function": {"name": "book", "arguments": "{}"}}]
    messages = [message("user", 0), message("assistant", 2, "", tool_calls=call),
                message("tool", 3, '{"error": "calendar unavailable"}'), message("assistant", 4, "Sorry, I could not book."),
                message("user", 10), message("assistant", 11, "Anything else?")]
    measures = transcript_measures(list(reversed(messages)))  # any order: read by time
    # (4 s from the first question to the spoken answer; the tool step counts as waiting) and 1 s: mean 2.5 s.
    assert measures == {"turns": 6, "response_latency_ms": 2500, "tool_calls": 1, "tool_failures": 1}
    ok = transcript_measures([message("user", 0), message("tool", 1, '{"slots": 3}'), message("assistant", 2, "Booked.")])
    assert ok["tool_failures"] == 0 and ok["tool_calls"] == 1
    assert transcript_measures([message("tool", 1, "Error: timeout")])["tool_failures"] == 1
    assert transcript_measures([message("tool", 1, "done", metadata={"status": "failed"})])["tool_failures"] == 1
    assert transcript_measures([message("user", 0)])["response_latency_ms"] is None  # no reply timed


def test_a_read_transcript_moves_the_hourly_sums_and_a_resync_keeps_them():
    item = {"id": "conv-1", "created_at": (timezone.now() - timedelta(minutes=20)).isoformat(),
            "last_message_at": timezone.now().isoformat(), "metadata": {"assistant_id": AID, "assistant_version_id": "v7"}}
    from conversations.services import conversation_fields
    cache_put_many(Conversation, [item], conversation_fields)
    assert Conversation.objects.get().turns is None  # not read yet: no turns, no latency
    transcript_store("conv-1", [message("user", 0), message("assistant", 3, "Hi"),
                                message("tool", 4, '{"success": false}')])
    row = Conversation.objects.get()
    assert (row.turns, row.response_latency_ms, row.tool_calls, row.tool_failures) == (3, 3000, 1, 1)
    cache_put_many(Conversation, [item], conversation_fields)  # a later sync: the list object has none of them
    hour = ConversationHour.objects.get()
    assert (hour.n, hour.turns_sum, hour.latency_sum, hour.latency_n, hour.tools_n, hour.tool_failed_n) == (1, 3, 3000, 1, 1, 1)
    rebuild_measures()
    assert ConversationHour.objects.values("n", "turns_sum", "latency_sum", "tool_failed_n").get() == \
        {"n": 1, "turns_sum": 3, "latency_sum": 3000, "tool_failed_n": 1}


@pytest.mark.parametrize("metric, threshold, fires", [("response_latency", 2, True), ("response_latency", 5, False),
                                                      ("tool_failures", 0.3, True), ("tool_failures", 0.6, False)])
def test_response_latency_and_tool_failure_rules(metric, threshold, fires):
    r = rule(metric=metric, threshold=threshold, comparison="above")
    conversations(2, response_latency_ms=4000, tool_calls=2, tool_failures=1)
    conversations(2, start=10, response_latency_ms=2000, tool_calls=1, tool_failures=0)
    conversations(3, start=20, turns=None)  # transcripts not read: outside both samples
    opened = services.rule_evaluate(r)
    r.refresh_from_db()
    assert r.last_sample == 4 and r.last_value == pytest.approx(3.0 if metric == "response_latency" else 0.5)
    assert (opened is not None) == fires


def test_a_long_window_reads_whole_hours_from_the_sums(django_assert_max_num_queries):
    """Conversations hours ago count through the per-hour rows; the partial hours through the table."""
    r = rule(metric="duration", threshold=100, comparison="above", window_minutes=24 * 60)
    for hours_ago in (3, 7, 20):
        conversations(4, minutes_ago=hours_ago * 60, start=hours_ago * 100, duration_seconds=hours_ago * 10)
    conversations(1, minutes_ago=1, duration_seconds=400)
    from monitoring.metrics import measure
    reading = measure(r, timezone.now())
    assert reading.sample == 13 and reading.value == pytest.approx((4 * 30 + 4 * 70 + 4 * 200 + 400) / 13)
    with django_assert_max_num_queries(3):  # the rollup once, each partial hour once
        measure(r, timezone.now())
